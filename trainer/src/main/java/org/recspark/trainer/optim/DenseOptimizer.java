package org.recspark.trainer.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.Optimizer;
import org.recspark.model.nn.Parameter;

/**
 * Updates dense parameters from their (merged) gradients: SGD with momentum (optionally Nesterov),
 * Adagrad, Adam, or AdamW (decoupled weight decay). The L2 penalty of the config adds l2 * w to each
 * gradient. State (moments, accumulators) is kept per parameter name, so it can be checkpointed.
 */
public final class DenseOptimizer {
    private final Optimizer config;
    private final LearningRateSchedule schedule;
    private final Map<String, float[][]> state = new LinkedHashMap<>();
    private long steps;

    private DenseOptimizer(Optimizer config) {
        this.config = config;
        this.schedule = new LearningRateSchedule(config.getLearningRate());
    }

    /** @param path the config path, named when the optimizer does not apply to dense parameters */
    public static DenseOptimizer of(Optimizer config, String path) {
        Optimizer effective = config.getKindCase() == Optimizer.KindCase.KIND_NOT_SET
                ? config.toBuilder().setAdam(config.getAdam()).build() : config;
        switch (effective.getKindCase()) {
            case LAZY_ADAM, FTRL -> throw new ConfigException(List.of(new Violation(path,
                    effective.getKindCase().name().toLowerCase(java.util.Locale.ROOT) + " is for embedding tables; dense parameters take sgd, adagrad, adam or adamw")));
            default -> {
                return new DenseOptimizer(effective);
            }
        }
    }

    public long steps() {
        return steps;
    }

    public double learningRate() {
        return schedule.at(steps);
    }

    /** One update of every parameter that has a gradient; parameters without one are left alone. */
    public void step(List<Parameter> parameters, Map<Parameter, float[]> gradients) {
        double lr = schedule.at(steps);
        steps++;
        double l2 = config.getL2();
        for (Parameter p : parameters) {
            float[] g = gradients.get(p);
            if (g == null) {
                continue;
            }
            float[] w = p.value();
            if (l2 > 0) {
                for (int i = 0; i < w.length; i++) {
                    g[i] += (float) (l2 * w[i]);
                }
            }
            switch (config.getKindCase()) {
                case SGD -> sgd(p, w, g, lr);
                case ADAGRAD -> adagrad(p, w, g, lr);
                case ADAM -> adam(p, w, g, lr, config.getAdam().getBeta1(), config.getAdam().getBeta2(), config.getAdam().getEpsilon(), 0);
                case ADAMW -> adam(p, w, g, lr, config.getAdamw().getBeta1(), config.getAdamw().getBeta2(), config.getAdamw().getEpsilon(),
                        config.getAdamw().getWeightDecay());
                default -> throw new IllegalStateException("unsupported dense optimizer " + config.getKindCase());
            }
        }
    }

    private float[][] state(Parameter p, int slots, float initial) {
        return state.computeIfAbsent(p.name(), k -> {
            float[][] s = new float[slots][p.size()];
            if (initial != 0) {
                for (float[] row : s) {
                    java.util.Arrays.fill(row, initial);
                }
            }
            return s;
        });
    }

    private void sgd(Parameter p, float[] w, float[] g, double lr) {
        double momentum = config.getSgd().getMomentum();
        if (momentum == 0) {
            for (int i = 0; i < w.length; i++) {
                w[i] -= (float) (lr * g[i]);
            }
            return;
        }
        float[] v = state(p, 1, 0)[0];
        boolean nesterov = config.getSgd().getNesterov();
        for (int i = 0; i < w.length; i++) {
            v[i] = (float) (momentum * v[i] + g[i]);
            double d = nesterov ? g[i] + momentum * v[i] : v[i];
            w[i] -= (float) (lr * d);
        }
    }

    private void adagrad(Parameter p, float[] w, float[] g, double lr) {
        float[] acc = state(p, 1, (float) config.getAdagrad().getInitialAccumulator())[0];
        for (int i = 0; i < w.length; i++) {
            acc[i] += g[i] * g[i];
            w[i] -= (float) (lr * g[i] / (Math.sqrt(acc[i]) + 1e-10));
        }
    }

    private void adam(Parameter p, float[] w, float[] g, double lr, double beta1, double beta2, double eps, double weightDecay) {
        float[][] s = state(p, 2, 0);
        if (weightDecay > 0) {
            float decay = (float) (lr * weightDecay);
            for (int i = 0; i < w.length; i++) {
                w[i] -= decay * w[i];
            }
        }
        new AdamStep(lr, beta1, beta2, eps, steps).apply(w, 0, s[0], 0, s[1], 0, g, 0, w.length);
    }

    /** State arrays by "<parameter>#<index>", for checkpoints. */
    public Map<String, float[]> stateByName() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, float[][]> e : state.entrySet()) {
            for (int i = 0; i < e.getValue().length; i++) {
                out.put(e.getKey() + "#" + i, e.getValue()[i]);
            }
        }
        return out;
    }

    /** Restores state written by {@link #stateByName()} and the step count. */
    public void restore(Map<String, float[]> byName, long restoredSteps) {
        state.clear();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String key : byName.keySet()) {
            String param = key.substring(0, key.lastIndexOf('#'));
            counts.merge(param, 1, Integer::sum);
        }
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            float[][] s = new float[e.getValue()][];
            for (int i = 0; i < s.length; i++) {
                s[i] = byName.get(e.getKey() + "#" + i).clone();
            }
            state.put(e.getKey(), s);
        }
        this.steps = restoredSteps;
    }
}
