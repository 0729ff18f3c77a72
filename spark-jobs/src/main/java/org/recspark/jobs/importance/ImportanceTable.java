package org.recspark.jobs.importance;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The results of a permutation-importance run as a table: one row per feature, then one per
 * feature group, each with the baseline metrics, the mean and standard deviation of the AUC drop
 * and of the logloss increase over the repeats, and its rank among the features (or among the
 * groups) by the chosen metric, 1 the most important. Written as CSV and as JSON (the JSON adds the
 * run's settings: task, rows used, repeats, seed).
 */
public final class ImportanceTable {
    /** The metric that ranks the candidates. */
    public enum RankBy {
        AUC, LOGLOSS;

        /** Parses {@code auc} or {@code logloss}. */
        public static RankBy parse(String text) {
            return switch (text) {
                case "auc" -> AUC;
                case "logloss" -> LOGLOSS;
                default -> throw new IllegalArgumentException("--metric expects auc or logloss, got '" + text + "'");
            };
        }

        double of(PermutationImportance.Result r) {
            return this == AUC ? r.meanAucDrop() : r.meanLoglossIncrease();
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A ranked row. */
    public record Row(String kind, PermutationImportance.Result result, int rank) {
    }

    /** What was measured: the task scored, its label, the rows used of how many evaluation rows, the repeats and the seed. */
    public record Settings(String task, String label, long rowsUsed, long evaluationRows, int repeats, long seed, RankBy rankBy) {
    }

    private final Settings settings;
    private final PermutationImportance.Baseline baseline;
    private final List<Row> features;
    private final List<Row> groups;

    public ImportanceTable(Settings settings, PermutationImportance.Baseline baseline, List<PermutationImportance.Result> features,
                           List<PermutationImportance.Result> groups) {
        this.settings = settings;
        this.baseline = baseline;
        this.features = ranked("feature", features, settings.rankBy());
        this.groups = ranked("group", groups, settings.rankBy());
    }

    private static List<Row> ranked(String kind, List<PermutationImportance.Result> results, RankBy rankBy) {
        List<PermutationImportance.Result> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingDouble(rankBy::of).reversed());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            rows.add(new Row(kind, sorted.get(i), i + 1));
        }
        return List.copyOf(rows);
    }

    public Settings settings() {
        return settings;
    }

    public PermutationImportance.Baseline baseline() {
        return baseline;
    }

    /** Features, most important first. */
    public List<Row> features() {
        return features;
    }

    /** Feature groups, most important first. */
    public List<Row> groups() {
        return groups;
    }

    public String csv() {
        StringBuilder sb = new StringBuilder("kind,name,group,rows,baseline_auc,auc_drop_mean,auc_drop_std,baseline_logloss,"
                + "logloss_increase_mean,logloss_increase_std,rank_by_" + settings.rankBy().label() + "\n");
        for (List<Row> rows : List.of(features, groups)) {
            for (Row row : rows) {
                PermutationImportance.Result r = row.result();
                sb.append(row.kind()).append(',').append(csvField(r.candidate().name())).append(',').append(csvField(r.candidate().group()))
                        .append(',').append(settings.rowsUsed())
                        .append(String.format(Locale.ROOT, ",%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d%n", baseline.auc(), r.meanAucDrop(),
                                r.stdAucDrop(), baseline.logloss(), r.meanLoglossIncrease(), r.stdLoglossIncrease(), row.rank()));
            }
        }
        return sb.toString();
    }

    public String json() {
        JsonObject root = new JsonObject();
        root.addProperty("task", settings.task());
        root.addProperty("label", settings.label());
        root.addProperty("rows_used", settings.rowsUsed());
        root.addProperty("evaluation_rows", settings.evaluationRows());
        root.addProperty("repeats", settings.repeats());
        root.addProperty("seed", settings.seed());
        root.addProperty("rank_by", settings.rankBy().label());
        JsonObject base = new JsonObject();
        base.addProperty("auc", baseline.auc());
        base.addProperty("logloss", baseline.logloss());
        root.add("baseline", base);
        root.add("features", jsonRows(features));
        root.add("groups", jsonRows(groups));
        return new GsonBuilder().setPrettyPrinting().create().toJson(root) + "\n";
    }

    private static JsonArray jsonRows(List<Row> rows) {
        JsonArray array = new JsonArray();
        for (Row row : rows) {
            PermutationImportance.Result r = row.result();
            JsonObject o = new JsonObject();
            o.addProperty(row.kind(), r.candidate().name());
            o.addProperty("group", r.candidate().group());
            o.addProperty("auc_drop_mean", r.meanAucDrop());
            o.addProperty("auc_drop_std", r.stdAucDrop());
            o.addProperty("logloss_increase_mean", r.meanLoglossIncrease());
            o.addProperty("logloss_increase_std", r.stdLoglossIncrease());
            o.addProperty("rank", row.rank());
            array.add(o);
        }
        return array;
    }

    private static String csvField(String value) {
        if (value.contains(",") || value.contains("\"") || value.contains("\n")) {
            return "\"" + value.replace("\"", "\"\"") + "\"";
        }
        return value;
    }
}
