package org.recspark.evaluator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.Metric;

/**
 * The point-wise metrics of {@code eval_config.metrics} over scored rows, named as reports and
 * early stopping refer to them: {@code auc}, {@code gauc}, {@code logloss}, {@code mse},
 * {@code rmse}, {@code mae}, {@code calibration}, {@code precision@0.5}, {@code recall@0.5}; for a
 * model with several tasks each name is prefixed with its task ({@code ctr/auc}). A metric with
 * {@code task} set is computed on that task only, otherwise on every task. Ranking metrics
 * ({@link RankingMetric}: {@code recall@K} and friends) need the model's embeddings of an item
 * corpus: they are named here, in the config's order, but computed by the retrieval evaluation
 * ({@link #rankingMetrics}), not by {@link #compute}.
 */
public final class ConfiguredMetrics {
    private final List<Metric> metrics;
    private final List<String> tasks;

    /**
     * @param metrics  eval_config.metrics
     * @param tasks    the model's task names, in output order
     * @param userField input_config.user_id_field, the only grouping the rows carry for GAUC
     */
    public ConfiguredMetrics(List<Metric> metrics, List<String> tasks, String userField) {
        List<Violation> problems = new ArrayList<>();
        for (int i = 0; i < metrics.size(); i++) {
            Metric m = metrics.get(i);
            String path = "eval_config.metrics[" + i + "]";
            switch (m.getKindCase()) {
                case RECALL_AT_K, HIT_RATE_AT_K, NDCG_AT_K, MRR_AT_K -> {
                    if (m.hasTask()) {
                        problems.add(new Violation(path + ".task", m.getKindCase().name().toLowerCase(Locale.ROOT)
                                + " ranks the item corpus by the model's user and item embeddings, not by a task's output: remove task '"
                                + m.getTask() + "'"));
                    }
                }
                case GAUC -> {
                    if (!m.getGauc().getUserField().equals(userField)) {
                        problems.add(new Violation(path + ".gauc.user_field", "must be input_config.user_id_field '" + userField
                                + "' (the samples are grouped by it), got '" + m.getGauc().getUserField() + "'"));
                    }
                }
                case KIND_NOT_SET -> problems.add(new Violation(path, "names no metric"));
                default -> {
                }
            }
            if (m.hasTask() && !tasks.contains(m.getTask())) {
                problems.add(new Violation(path + ".task", "no task '" + m.getTask() + "'; the model's tasks are " + tasks));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        this.metrics = List.copyOf(metrics);
        this.tasks = List.copyOf(tasks);
    }

    /**
     * Every metric's name: those {@link #compute} reports, in its order, with the ranking metrics'
     * in the config's order among the first task's.
     */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (String task : tasks) {
            String prefix = tasks.size() == 1 ? "" : task + "/";
            for (Metric m : metrics) {
                if (m.hasTask() && !m.getTask().equals(task)) {
                    continue;
                }
                Optional<RankingMetric> ranking = RankingMetric.of(m);
                if (ranking.isPresent()) {
                    if (task.equals(tasks.get(0))) {
                        out.add(ranking.get().name());
                    }
                    continue;
                }
                switch (m.getKindCase()) {
                    case PRECISION_RECALL -> {
                        String t = threshold(m);
                        out.add(prefix + "precision@" + t);
                        out.add(prefix + "recall@" + t);
                    }
                    default -> out.add(prefix + m.getKindCase().name().toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    /** The ranking metrics of the config, in its order; empty when it has none. */
    public List<RankingMetric> rankingMetrics() {
        return metrics.stream().flatMap(m -> RankingMetric.of(m).stream()).toList();
    }

    /**
     * The point-wise values and the ranking ones merged in {@link #names()}'s order.
     *
     * @param ranking the ranking metrics' values by name (the retrieval evaluation's), each required
     */
    public Map<String, Double> inNameOrder(Map<String, Double> pointWise, Map<String, Double> ranking) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : names()) {
            Double v = pointWise.containsKey(name) ? pointWise.get(name) : ranking.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no value for metric '" + name + "'");
            }
            out.put(name, v);
        }
        return out;
    }

    private static String threshold(Metric m) {
        return Double.toString(m.getPrecisionRecall().getThreshold());
    }

    /**
     * Computes every point-wise metric (the ranking metrics are left to the retrieval evaluation).
     *
     * @param predictions per task, one probability (or value) per row
     * @param labels      per task, the label of each row
     * @param groupKeys   per row, the user it belongs to (for GAUC)
     */
    public Map<String, Double> compute(Map<String, float[]> predictions, Map<String, float[]> labels, long[] groupKeys) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String task : tasks) {
            float[] p = predictions.get(task);
            float[] y = labels.get(task);
            if (p == null || y == null || p.length != y.length) {
                throw new IllegalArgumentException("task '" + task + "' needs predictions and labels of one length");
            }
            String prefix = tasks.size() == 1 ? "" : task + "/";
            for (Metric m : metrics) {
                if (m.hasTask() && !m.getTask().equals(task) || RankingMetric.of(m).isPresent()) {
                    continue;
                }
                addMetric(out, prefix, m, p, y, groupKeys);
            }
        }
        return out;
    }

    private static void addMetric(Map<String, Double> out, String prefix, Metric m, float[] p, float[] y, long[] users) {
        switch (m.getKindCase()) {
            case AUC -> {
                AucAccumulator a = new AucAccumulator();
                for (int i = 0; i < p.length; i++) {
                    a.add(p[i], y[i]);
                }
                out.put(prefix + "auc", a.value());
            }
            case GAUC -> {
                GaucAccumulator a = new GaucAccumulator();
                for (int i = 0; i < p.length; i++) {
                    a.add(Long.toString(users[i]), p[i], y[i]);
                }
                out.put(prefix + "gauc", a.value());
            }
            case LOGLOSS -> {
                LogLossAccumulator a = new LogLossAccumulator();
                for (int i = 0; i < p.length; i++) {
                    a.add(p[i], y[i]);
                }
                out.put(prefix + "logloss", a.value());
            }
            case MSE, RMSE, MAE -> {
                RegressionErrors a = new RegressionErrors();
                for (int i = 0; i < p.length; i++) {
                    a.add(p[i], y[i]);
                }
                switch (m.getKindCase()) {
                    case MSE -> out.put(prefix + "mse", a.mse());
                    case RMSE -> out.put(prefix + "rmse", a.rmse());
                    default -> out.put(prefix + "mae", a.mae());
                }
            }
            case CALIBRATION -> {
                CalibrationAccumulator a = new CalibrationAccumulator();
                for (int i = 0; i < p.length; i++) {
                    a.add(p[i], y[i]);
                }
                out.put(prefix + "calibration", a.value());
            }
            case PRECISION_RECALL -> {
                double threshold = m.getPrecisionRecall().getThreshold();
                PrecisionRecallAccumulator a = new PrecisionRecallAccumulator(threshold);
                for (int i = 0; i < p.length; i++) {
                    a.add(p[i], y[i]);
                }
                String t = threshold(m);
                out.put(prefix + "precision@" + t, a.precision());
                out.put(prefix + "recall@" + t, a.recall());
            }
            default -> throw new IllegalStateException("refused at construction: " + m.getKindCase());
        }
    }
}
