package org.recspark.jobs.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;

import java.io.Serializable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.random.XORShiftRandom;

/**
 * Which rows of the samples one split (training, evaluation, test) takes, as one rule applied two
 * ways: as a Spark filter ({@link #apply}), and row by row while a stream decodes a row group
 * ({@link #open}), so that both give the same rows. A window [from, to) leaves a side open with an
 * infinite bound.
 */
public sealed interface RowSelection extends Serializable {
    /** The selected rows of the samples. */
    Dataset<Row> apply(Dataset<Row> samples);

    /** Whether rows are selected by their time, which the stream must then decode. */
    default boolean needsTime() {
        return false;
    }

    /** A filter over the rows of one row group, to be asked about every row in order. */
    RowFilter open(SampleRowGroup group);

    /** Decides row after row. */
    @FunctionalInterface
    interface RowFilter {
        /**
         * @param time the row's time (when {@link #needsTime}); NaN when it is null
         */
        boolean keep(double time);
    }

    /** Every row of the files the split's dataset reads (a by-date split prunes the dt partitions). */
    record All() implements RowSelection {
        @Override
        public Dataset<Row> apply(Dataset<Row> samples) {
            return samples;
        }

        @Override
        public RowFilter open(SampleRowGroup group) {
            return time -> true;
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
        public boolean needsTime() {
            return true;
        }

        @Override
        public RowFilter open(SampleRowGroup group) {
            return time -> !Double.isNaN(time) && time >= from && time < to;
        }
    }

    /**
     * Rows whose draw of Spark's {@code rand(seed)} is in [from, to). Spark seeds each partition of
     * the scan with {@code seed + partition index} and draws once per row in the partition's order,
     * so a row group's draws are those after its first row's position in its Spark partition.
     */
    record RandomWindow(long seed, double from, double to) implements RowSelection {
        private static final String DRAW = "__u";

        @Override
        public Dataset<Row> apply(Dataset<Row> samples) {
            Column u = col(DRAW);
            Column condition = null;
            if (from != Double.NEGATIVE_INFINITY) {
                condition = u.geq(from);
            }
            if (to != Double.POSITIVE_INFINITY) {
                condition = condition == null ? u.lt(to) : condition.and(u.lt(to));
            }
            Dataset<Row> marked = samples.withColumn(DRAW, rand(seed));
            return (condition == null ? marked : marked.where(condition)).drop(DRAW);
        }

        @Override
        public RowFilter open(SampleRowGroup group) {
            XORShiftRandom random = new XORShiftRandom(seed + group.sparkPartition());
            for (long i = 0; i < group.partitionOffset(); i++) {
                random.nextDouble();
            }
            return time -> {
                double u = random.nextDouble();
                return u >= from && u < to;
            };
        }
    }
}
