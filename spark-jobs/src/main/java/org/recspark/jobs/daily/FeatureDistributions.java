package org.recspark.jobs.daily;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.recspark.evaluator.drift.DailyGuardChecks;
import org.recspark.evaluator.drift.GuardCheck;
import org.recspark.evaluator.drift.QuantileBins;
import org.recspark.evaluator.drift.TopValueBins;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.jobs.samples.FeatureStage;
import scala.Tuple2;

/**
 * What the data guards read of a day's samples, aggregated by Spark (only counts, quantile edges
 * and top values reach the driver): the rows, the positives of each label, and per guarded feature
 * its missing rows and its values counted in bins cut on the reference day, exactly as
 * {@link DailyGuardChecks#drift(org.recspark.evaluator.drift.FeatureValues, org.recspark.evaluator.drift.FeatureValues,
 * int, int, double, double)} bins the values of rows in memory. A sparse feature's row is missing
 * when it has no id (what the feature jar writes for a missing input without a default_value); a
 * dense feature's row when every component is NaN, since the feature jar replaces a missing number
 * by its default_value before the samples are written.
 */
final class FeatureDistributions {
    private final SparkSession spark;
    private final List<String> features;
    private final boolean[] sparse;
    private final int[] dims;
    private final List<String> labels;

    /**
     * @param features the guarded features
     * @param labels   the labels whose positives (value >= 0.5) are counted
     */
    FeatureDistributions(SparkSession spark, FeatureSchema schema, List<String> features, List<String> labels) {
        this.spark = spark;
        this.features = List.copyOf(features);
        this.labels = List.copyOf(labels);
        sparse = new boolean[features.size()];
        dims = new int[features.size()];
        for (int i = 0; i < features.size(); i++) {
            FeatureSpec spec = schema.spec(features.get(i));
            sparse[i] = spec.sparse();
            dims[i] = spec.denseDim();
        }
    }

    /**
     * One day's counts.
     *
     * @param positives per label, the rows whose label is at least 0.5
     * @param missing   per feature, the rows without a value
     * @param values    per feature, its non-missing values (ids of a sparse feature, non-NaN components of a dense one)
     * @param binned    per feature, its values per bin, or null for a feature without bins (or no bins at all)
     */
    record DayCounts(long rows, long[] positives, long[] missing, long[] values, long[][] binned) {
        DailyGuardChecks.MissingCounts missing(int feature) {
            return new DailyGuardChecks.MissingCounts(rows, missing[feature]);
        }
    }

    /** The bins of each feature cut on the reference day: null for a feature the reference has no value of. */
    record Bins(QuantileBins[] numeric, TopValueBins[] ids) {}

    /** Counts a day's rows; with bins, their values per bin too. */
    DayCounts count(Dataset<Row> day, Optional<Bins> bins) {
        Counter zero = new Counter(labels.size(), sparse, dims, bins.map(FeatureDistributions::edges).orElse(null),
                bins.map(FeatureDistributions::topValues).orElse(null));
        Counter total = columns(day).javaRDD().aggregate(zero, Counter::add, Counter::merge);
        return new DayCounts(total.rows, total.positives, total.missing, total.values, total.binned);
    }

    /**
     * Bins cut on the reference day's values: quantile bins of dense features from a sort of their
     * values (the values at {@link QuantileBins#positions}), top-value bins of sparse features from
     * their ids' frequencies (most frequent first, the smaller id among equals).
     */
    Bins bins(Dataset<Row> reference, DayCounts counts, int numericBins, int topValues) {
        QuantileBins[] numeric = new QuantileBins[features.size()];
        TopValueBins[] ids = new TopValueBins[features.size()];
        Dataset<Row> rows = columns(reference);
        int labelCount = labels.size();
        boolean[] isSparse = sparse;

        Map<Long, List<int[]>> wanted = new HashMap<>();
        long offset = 0;
        for (int f = 0; f < features.size(); f++) {
            if (!sparse[f] && counts.values()[f] > 0) {
                long[] positions = QuantileBins.positions(counts.values()[f], numericBins);
                for (int k = 0; k < positions.length; k++) {
                    wanted.computeIfAbsent(offset + positions[k], p -> new ArrayList<>()).add(new int[]{f, k});
                }
                offset += counts.values()[f];
            }
        }
        if (!wanted.isEmpty()) {
            JavaRDD<Row> values = rows.javaRDD().flatMap(row -> {
                List<Row> out = new ArrayList<>();
                for (int f = 0; f < isSparse.length; f++) {
                    if (!isSparse[f]) {
                        for (Object v : list(row, labelCount + f)) {
                            float x = ((Number) v).floatValue();
                            if (!Float.isNaN(x)) {
                                out.add(RowFactory.create(f, sortable(x)));
                            }
                        }
                    }
                }
                return out.iterator();
            });
            StructType schema = new StructType().add("f", DataTypes.IntegerType).add("k", DataTypes.LongType);
            Set<Long> positions = new HashSet<>(wanted.keySet());
            double[][] quantiles = new double[features.size()][numericBins - 1];
            for (Tuple2<Long, Long> picked : spark.createDataFrame(values, schema).orderBy("f", "k").javaRDD().zipWithIndex()
                    .filter(t -> positions.contains(t._2())).map(t -> new Tuple2<>(t._2(), t._1().getLong(1))).collect()) {
                for (int[] fk : wanted.get(picked._1())) {
                    quantiles[fk[0]][fk[1]] = unsortable(picked._2());
                }
            }
            for (int f = 0; f < features.size(); f++) {
                if (!sparse[f] && counts.values()[f] > 0) {
                    numeric[f] = QuantileBins.fromQuantiles(quantiles[f]);
                }
            }
        }

        boolean anyIds = false;
        for (int f = 0; f < features.size(); f++) {
            anyIds |= sparse[f] && counts.values()[f] > 0;
        }
        if (anyIds) {
            JavaRDD<Row> pairs = rows.javaRDD().flatMap(row -> {
                List<Row> out = new ArrayList<>();
                for (int f = 0; f < isSparse.length; f++) {
                    if (isSparse[f]) {
                        for (Object id : list(row, labelCount + f)) {
                            out.add(RowFactory.create(f, ((Number) id).longValue()));
                        }
                    }
                }
                return out.iterator();
            });
            StructType schema = new StructType().add("f", DataTypes.IntegerType).add("id", DataTypes.LongType);
            Column rank = row_number().over(Window.partitionBy("f").orderBy(col("count").desc(), col("id").asc()));
            List<Row> top = spark.createDataFrame(pairs, schema).groupBy("f", "id").count().withColumn("rank", rank)
                    .where(col("rank").leq(topValues)).collectAsList();
            List<Map<Integer, Long>> byRank = new ArrayList<>();
            for (int f = 0; f < features.size(); f++) {
                byRank.add(new HashMap<>());
            }
            for (Row r : top) {
                byRank.get(r.getInt(0)).put(r.getInt(3), r.getLong(1));
            }
            for (int f = 0; f < features.size(); f++) {
                Map<Integer, Long> ranked = byRank.get(f);
                if (!ranked.isEmpty()) {
                    long[] values = new long[ranked.size()];
                    ranked.forEach((rankOf, id) -> values[rankOf - 1] = id);
                    ids[f] = TopValueBins.of(values);
                }
            }
        }
        return new Bins(numeric, ids);
    }

    /**
     * The drift checks of every guarded feature ({@link DailyGuardChecks#drift(String, DailyGuardChecks.MissingCounts,
     * DailyGuardChecks.MissingCounts, Optional, double, double)}): PSI over the bins when both days have values of the
     * feature, and the change of its missing-value rate.
     *
     * @param reference the reference day's counts with {@code bins}
     * @param current   the current day's counts with {@code bins}
     */
    List<GuardCheck> drift(Bins bins, DayCounts reference, DayCounts current, double maxPsi, double maxMissingRateChange) {
        List<GuardCheck> out = new ArrayList<>();
        for (int f = 0; f < features.size(); f++) {
            Optional<DailyGuardChecks.BinnedCounts> binned = Optional.empty();
            if (reference.values()[f] > 0 && current.values()[f] > 0) {
                String cut = bins.numeric()[f] != null ? bins.numeric()[f].describe() : bins.ids()[f].describe();
                binned = Optional.of(new DailyGuardChecks.BinnedCounts(cut, reference.binned()[f], current.binned()[f]));
            }
            out.addAll(DailyGuardChecks.drift(features.get(f), reference.missing(f), current.missing(f), binned, maxPsi,
                    maxMissingRateChange));
        }
        return out;
    }

    /** The labels, then the guarded features' columns. */
    private Dataset<Row> columns(Dataset<Row> day) {
        List<Column> columns = new ArrayList<>();
        labels.forEach(l -> columns.add(col("`" + l + "`")));
        features.forEach(f -> columns.add(col("`" + FeatureStage.FEATURES + "`.`" + f + "`")));
        return day.select(columns.toArray(Column[]::new));
    }

    private static List<?> list(Row row, int column) {
        return row.isNullAt(column) ? List.of() : row.getList(column);
    }

    /** A long whose signed order is the order of the doubles (Double.compare's, -0.0 before 0.0). */
    static long sortable(double v) {
        long bits = Double.doubleToLongBits(v);
        return bits ^ ((bits >> 63) & Long.MAX_VALUE);
    }

    static double unsortable(long key) {
        return Double.longBitsToDouble(key ^ ((key >> 63) & Long.MAX_VALUE));
    }

    private static double[][] edges(Bins bins) {
        double[][] out = new double[bins.numeric().length][];
        for (int f = 0; f < out.length; f++) {
            out[f] = bins.numeric()[f] == null ? null : bins.numeric()[f].edges();
        }
        return out;
    }

    private static long[][] topValues(Bins bins) {
        long[][] out = new long[bins.ids().length][];
        for (int f = 0; f < out.length; f++) {
            out[f] = bins.ids()[f] == null ? null : bins.ids()[f].values();
        }
        return out;
    }

    /** A partition's counts; merged into the day's. Bins travel as their edges and values and are rebuilt where rows are counted. */
    private static final class Counter implements Serializable {
        private static final long serialVersionUID = 1L;
        private final boolean[] sparse;
        private final int[] dims;
        private final double[][] edges;
        private final long[][] topValues;
        private long rows;
        private final long[] positives;
        private final long[] missing;
        private final long[] values;
        private final long[][] binned;
        private transient QuantileBins[] numericBins;
        private transient TopValueBins[] idBins;

        Counter(int labels, boolean[] sparse, int[] dims, double[][] edges, long[][] topValues) {
            this.sparse = sparse;
            this.dims = dims;
            this.edges = edges;
            this.topValues = topValues;
            this.positives = new long[labels];
            this.missing = new long[sparse.length];
            this.values = new long[sparse.length];
            this.binned = new long[sparse.length][];
            for (int f = 0; f < sparse.length; f++) {
                if (edges != null && edges[f] != null) {
                    binned[f] = new long[edges[f].length + 1];
                } else if (topValues != null && topValues[f] != null) {
                    binned[f] = new long[topValues[f].length + 1];
                }
            }
        }

        Counter add(Row row) {
            if (numericBins == null) {
                numericBins = new QuantileBins[sparse.length];
                idBins = new TopValueBins[sparse.length];
                for (int f = 0; f < sparse.length; f++) {
                    if (edges != null && edges[f] != null) {
                        numericBins[f] = QuantileBins.fromQuantiles(edges[f]);
                    }
                    if (topValues != null && topValues[f] != null) {
                        idBins[f] = TopValueBins.of(topValues[f]);
                    }
                }
            }
            rows++;
            int labels = positives.length;
            for (int l = 0; l < labels; l++) {
                if (row.isNullAt(l)) {
                    throw new IllegalArgumentException("a label is null in a sample row; the sample job writes numbers");
                }
                if (((Number) row.get(l)).floatValue() >= 0.5f) {
                    positives[l]++;
                }
            }
            for (int f = 0; f < sparse.length; f++) {
                List<?> list = list(row, labels + f);
                if (sparse[f]) {
                    values[f] += list.size();
                    missing[f] += list.isEmpty() ? 1 : 0;
                    if (idBins[f] != null) {
                        for (Object id : list) {
                            binned[f][idBins[f].bin(((Number) id).longValue())]++;
                        }
                    }
                } else {
                    boolean allNaN = true;
                    for (int k = 0; k < dims[f] && k < list.size(); k++) {
                        float v = ((Number) list.get(k)).floatValue();
                        if (!Float.isNaN(v)) {
                            allNaN = false;
                            values[f]++;
                            if (numericBins[f] != null) {
                                binned[f][numericBins[f].bin(v)]++;
                            }
                        }
                    }
                    missing[f] += allNaN ? 1 : 0;
                }
            }
            return this;
        }

        Counter merge(Counter other) {
            rows += other.rows;
            add(positives, other.positives);
            add(missing, other.missing);
            add(values, other.values);
            for (int f = 0; f < binned.length; f++) {
                if (binned[f] != null) {
                    add(binned[f], other.binned[f]);
                }
            }
            return this;
        }

        private static void add(long[] into, long[] from) {
            for (int i = 0; i < into.length; i++) {
                into[i] += from[i];
            }
        }
    }
}
