package org.recspark.jobs.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import java.io.Serializable;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import java.util.Map;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.recspark.trainer.plan.SampleSchema;

/**
 * Which rows of the samples one split (training, evaluation, test) takes, as one rule applied two
 * ways: as a Spark filter ({@link #apply}), and row by row while a stream decodes a row group
 * ({@link #open}), so that both give the same rows. A window [from, to) leaves a side open with an
 * infinite bound.
 */
public sealed interface RowSelection extends Serializable {
    /** The selected rows of the samples. */
    Dataset<Row> apply(Dataset<Row> samples);

    /** The column rows are selected by (their time, or their split draw), which the stream must then decode. */
    default Optional<String> selectedBy() {
        return Optional.empty();
    }

    /** The user column, when rows are selected per user: the stream then decodes it as each row's group key. */
    default Optional<String> perUser() {
        return Optional.empty();
    }

    /** A filter over the rows of one row group, to be asked about every row in order. */
    RowFilter open(SampleRowGroup group);

    /** Decides row after row. */
    @FunctionalInterface
    interface RowFilter {
        /**
         * @param value    the row's value of {@link #selectedBy}, when there is one; NaN when it is null
         * @param groupKey the row's user as a group key ({@link SampleTableReader#groupKey}), when {@link #perUser} names a column
         */
        boolean keep(double value, long groupKey);
    }

    /** Every row of the files the split's dataset reads (a by-date split prunes the dt partitions). */
    record All() implements RowSelection {
        @Override
        public Dataset<Row> apply(Dataset<Row> samples) {
            return samples;
        }

        @Override
        public RowFilter open(SampleRowGroup group) {
            return (time, user) -> true;
        }
    }

    /**
     * Rows whose time (epoch seconds, compared as a double, as Spark compares a long column with a
     * double) is in [from, to); rows without a time are in no window.
     */
    record TimeWindow(String column, double from, double to) implements RowSelection {
        @Override
        public Dataset<Row> apply(Dataset<Row> samples) {
            Column time = col(column);
            Column condition = null;
            if (from != Double.NEGATIVE_INFINITY) {
                condition = time.geq(from);
            }
            if (to != Double.POSITIVE_INFINITY) {
                condition = condition == null ? time.lt(to) : condition.and(time.lt(to));
            }
            return condition == null ? samples : samples.where(condition);
        }

        @Override
        public Optional<String> selectedBy() {
            return Optional.of(column);
        }

        @Override
        public RowFilter open(SampleRowGroup group) {
            return (time, user) -> !Double.isNaN(time) && time >= from && time < to;
        }
    }

    /**
     * Rows whose draw for the seed is in [from, to). The draw is a function of the row's own
     * {@value SampleSchema#SPLIT_DRAW} (a uniform number build-samples and predict derive from the
     * sample's raw columns) and the seed, so a row falls in the same split wherever it is stored:
     * in the built samples train reads and in the rows predict scores. Rows without a draw are in
     * no window.
     */
    record RandomWindow(long seed, double from, double to) implements RowSelection {
        private static final String DRAW = "__u";
        private static final double UNIT = 0x1.0p-53;

        /** The row's draw in [0, 1) for the seed: its stored draw's bits mixed with the seed (SplitMix64's finaliser). */
        public static double draw(double stored, long seed) {
            long z = Double.doubleToRawLongBits(stored) + seed * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            return (z >>> 11) * UNIT;
        }

        @Override
        public Dataset<Row> apply(Dataset<Row> samples) {
            long s = seed;
            UserDefinedFunction drawn = udf((UDF1<Double, Double>) v -> v == null ? null : draw(v, s), DataTypes.DoubleType);
            Column u = col(DRAW);
            Column condition = u.isNotNull();
            if (from != Double.NEGATIVE_INFINITY) {
                condition = condition.and(u.geq(from));
            }
            if (to != Double.POSITIVE_INFINITY) {
                condition = condition.and(u.lt(to));
            }
            return samples.withColumn(DRAW, drawn.apply(col(SampleSchema.SPLIT_DRAW))).where(condition).drop(DRAW);
        }

        @Override
        public Optional<String> selectedBy() {
            return Optional.of(SampleSchema.SPLIT_DRAW);
        }

        @Override
        public RowFilter open(SampleRowGroup group) {
            return (stored, user) -> {
                if (Double.isNaN(stored)) {
                    return false;
                }
                double u = draw(stored, seed);
                return u >= from && u < to;
            };
        }
    }

    /**
     * Rows whose time lies in [cut {@code from}, cut {@code to}) of their user's cuts (a user's
     * last time and the one before it, see {@link SampleSplit}); cut index -1 is -infinity and an
     * index past the cuts +infinity. Rows without a user or time, or of a user without cuts, are in
     * no window.
     *
     * @param cuts per user group key ({@link SampleTableReader#groupKey} of the user id as text), ascending times
     */
    record PerUserTimeWindow(String time, String user, Map<Long, double[]> cuts, int from, int to) implements RowSelection {
        private static final String FROM = "__from";
        private static final String TO = "__to";

        private static double bound(double[] userCuts, int index) {
            return index < 0 ? Double.NEGATIVE_INFINITY : index >= userCuts.length ? Double.POSITIVE_INFINITY : userCuts[index];
        }

        @Override
        public Dataset<Row> apply(Dataset<Row> samples) {
            Map<Long, double[]> c = cuts;
            int f = from;
            int t = to;
            UserDefinedFunction lower = udf((UDF1<String, Double>) u -> u == null || !c.containsKey(SampleTableReader.groupKey(u)) ? null
                    : bound(c.get(SampleTableReader.groupKey(u)), f), DataTypes.DoubleType);
            UserDefinedFunction upper = udf((UDF1<String, Double>) u -> u == null || !c.containsKey(SampleTableReader.groupKey(u)) ? null
                    : bound(c.get(SampleTableReader.groupKey(u)), t), DataTypes.DoubleType);
            Column userText = col(user).cast(DataTypes.StringType);
            Column at = col(time).cast(DataTypes.DoubleType);
            return samples.withColumn(FROM, lower.apply(userText)).withColumn(TO, upper.apply(userText))
                    .where(col(FROM).isNotNull().and(at.geq(col(FROM))).and(at.lt(col(TO)))).drop(FROM, TO);
        }

        @Override
        public Optional<String> selectedBy() {
            return Optional.of(time);
        }

        @Override
        public Optional<String> perUser() {
            return Optional.of(user);
        }

        @Override
        public RowFilter open(SampleRowGroup group) {
            return (at, userKey) -> {
                double[] userCuts = cuts.get(userKey);
                return userCuts != null && !Double.isNaN(at) && at >= bound(userCuts, from) && at < bound(userCuts, to);
            };
        }
    }

    /**
     * With an eval_table split: the rows build-samples built from the eval table ({@code eval}), or
     * those it built from input_config.samples, by their {@value SampleSchema#EVAL_TABLE_ROW} mark.
     */
    record EvalTableRows(boolean eval) implements RowSelection {
        @Override
        public Dataset<Row> apply(Dataset<Row> samples) {
            return samples.where(col(SampleSchema.EVAL_TABLE_ROW).equalTo(eval ? 1 : 0));
        }

        @Override
        public Optional<String> selectedBy() {
            return Optional.of(SampleSchema.EVAL_TABLE_ROW);
        }

        @Override
        public RowFilter open(SampleRowGroup group) {
            double wanted = eval ? 1 : 0;
            return (mark, user) -> mark == wanted;
        }
    }
}
