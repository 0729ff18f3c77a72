package org.recspark.jobs.evaluation;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.storage.StorageLevel;
import org.recspark.evaluator.AucAccumulator;
import org.recspark.evaluator.CalibrationAccumulator;
import org.recspark.evaluator.MetricAccumulator;
import org.recspark.evaluator.PrecisionRecallAccumulator;
import org.recspark.evaluator.RegressionErrors;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * Evaluation metrics of a prediction table too large for one process, computed exactly on Spark
 * and equal to the evaluator's single-process accumulators.
 *
 * <p>AUC: predictions are grouped by score (ties collapse), sorted globally, each partition's row
 * count is collected, and a second pass turns each group's position into its average rank, from
 * which the Mann-Whitney statistic follows: two passes over the distinct scores, no collect of the
 * data itself.
 *
 * <p>The other metrics add each partition's rows to a fresh evaluator accumulator on its executor
 * and merge the partition accumulators on the driver in partition order, so the value is the
 * evaluator's own (up to the order of floating-point sums). They return the merged accumulator.
 */
public final class DistributedMetrics {
    private DistributedMetrics() {}

    /** Exact AUC of binary labels (0/1); NaN unless both classes occur. */
    public static double auc(Dataset<Row> predictions, String scoreColumn, String labelColumn) {
        Dataset<Row> groups = predictions.groupBy(col(scoreColumn).cast("double").as("score"))
                .agg(sum(col(labelColumn).cast("long")).as("pos"), count(lit(1)).as("n"))
                .orderBy("score");
        JavaRDD<Row> sorted = groups.javaRDD().persist(StorageLevel.MEMORY_AND_DISK());
        try {
            List<Tuple2<Integer, Long>> sizes = sorted.mapPartitionsWithIndex((index, rows) -> {
                long n = 0;
                while (rows.hasNext()) {
                    n += rows.next().getLong(2);
                }
                return List.of(new Tuple2<>(index, n)).iterator();
            }, true).collect();
            long[] offsets = new long[sizes.size()];
            long total = 0;
            for (Tuple2<Integer, Long> s : sizes.stream().sorted((a, b) -> Integer.compare(a._1, b._1)).toList()) {
                offsets[s._1] = total;
                total += s._2;
            }
            long[] startOf = offsets;
            List<double[]> parts = sorted.mapPartitionsWithIndex((index, rows) -> {
                double rankSum = 0;
                long positives = 0;
                long rank = startOf[index];
                while (rows.hasNext()) {
                    Row r = rows.next();
                    long pos = r.getLong(1);
                    long n = r.getLong(2);
                    // Ranks rank+1 .. rank+n share their average.
                    rankSum += pos * (rank + (n + 1) / 2.0);
                    positives += pos;
                    rank += n;
                }
                return List.of(new double[] {rankSum, positives}).iterator();
            }, true).collect();
            double rankSum = 0;
            long positives = 0;
            for (double[] p : parts) {
                rankSum += p[0];
                positives += (long) p[1];
            }
            long negatives = total - positives;
            if (positives == 0 || negatives == 0) {
                return Double.NaN;
            }
            return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
        } finally {
            sorted.unpersist();
        }
    }

    /**
     * Group AUC: per-user AUC weighted by the user's impressions, users with one class skipped.
     * Each user's rows are gathered in one task, as a user's impressions are few.
     *
     * @return {gauc, users, skipped users}
     */
    public static double[] gauc(Dataset<Row> predictions, String userColumn, String scoreColumn, String labelColumn) {
        JavaRDD<double[]> perUser = predictions
                .select(col(userColumn).cast("string"), col(scoreColumn).cast("double"), col(labelColumn).cast("double"))
                .javaRDD()
                .groupBy(r -> r.getString(0))
                .map(group -> {
                    AucAccumulator auc = new AucAccumulator();
                    Iterator<Row> rows = group._2.iterator();
                    while (rows.hasNext()) {
                        Row r = rows.next();
                        auc.add(r.getDouble(1), r.getDouble(2));
                    }
                    return new double[] {auc.value(), auc.count()};
                });
        double[] totals = perUser.map(a -> Double.isNaN(a[0]) ? new double[] {0, 0, 1, 1} : new double[] {a[0] * a[1], a[1], 1, 0})
                .fold(new double[] {0, 0, 0, 0}, (a, b) -> new double[] {a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]});
        double value = totals[1] == 0 ? Double.NaN : totals[0] / totals[1];
        return new double[] {value, totals[2], totals[3]};
    }

    /** Mean binary cross-entropy with predictions clipped to [1e-15, 1 - 1e-15], as the evaluator's. */
    public static double logLoss(Dataset<Row> predictions, String scoreColumn, String labelColumn) {
        var p = least(greatest(col(scoreColumn).cast("double"), lit(1e-15)), lit(1 - 1e-15));
        var loss = when(col(labelColumn).cast("double").equalTo(1), log(p).multiply(-1)).otherwise(log(lit(1).minus(p)).multiply(-1));
        Row r = predictions.agg(sum(loss), count(lit(1))).first();
        return r.getLong(1) == 0 ? Double.NaN : r.getDouble(0) / r.getLong(1);
    }

    /** MSE, RMSE and MAE of the scores against real-valued labels. */
    public static RegressionErrors regressionErrors(Dataset<Row> predictions, String scoreColumn, String labelColumn) {
        return accumulate(predictions, scoreColumn, labelColumn, RegressionErrors::new);
    }

    /** Mean prediction over mean label ({@link CalibrationAccumulator#value()}, 1 when they agree). */
    public static CalibrationAccumulator calibration(Dataset<Row> predictions, String scoreColumn, String labelColumn) {
        return accumulate(predictions, scoreColumn, labelColumn, CalibrationAccumulator::new);
    }

    /** Precision and recall of "score >= threshold" as the positive decision, for binary labels (0/1). */
    public static PrecisionRecallAccumulator precisionRecall(Dataset<Row> predictions, String scoreColumn, String labelColumn,
                                                             double threshold) {
        return accumulate(predictions, scoreColumn, labelColumn, () -> new PrecisionRecallAccumulator(threshold));
    }

    /** Creates an empty accumulator; shipped to the executors with the task. */
    private interface AccumulatorFactory<T> extends Serializable {
        T create();
    }

    private static <T extends MetricAccumulator<T>> T accumulate(Dataset<Row> predictions, String scoreColumn, String labelColumn,
                                                               AccumulatorFactory<T> factory) {
        requireNumeric(predictions, scoreColumn);
        requireNumeric(predictions, labelColumn);
        List<byte[]> partitions = predictions.select(col(scoreColumn).cast("double"), col(labelColumn).cast("double"))
                .javaRDD()
                .mapPartitions(rows -> {
                    T accumulator = factory.create();
                    while (rows.hasNext()) {
                        Row r = rows.next();
                        if (r.isNullAt(0) || r.isNullAt(1)) {
                            throw new IllegalArgumentException("null in column '" + (r.isNullAt(0) ? scoreColumn : labelColumn)
                                    + "': every row needs a score and a label");
                        }
                        accumulator.add(r.getDouble(0), r.getDouble(1));
                    }
                    return List.of(AccumulatorBytes.write(accumulator)).iterator();
                })
                .collect();
        T total = factory.create();
        for (byte[] partition : partitions) {
            total.merge(AccumulatorBytes.read(partition));
        }
        return total;
    }

    private static void requireNumeric(Dataset<Row> predictions, String column) {
        // Resolving the column here reports a missing one (with Spark's suggestions) before any job runs.
        DataType type = predictions.select(col(column)).schema().fields()[0].dataType();
        if (!(type instanceof NumericType || type instanceof BooleanType)) {
            throw new IllegalArgumentException("column '" + column + "' must be numeric or boolean, got " + type.simpleString());
        }
    }

    /**
     * The evaluator's accumulators are not java.io.Serializable (that module keeps no serialization
     * contract), and task results go through Spark's Java serializer by default, so a partition's
     * accumulator travels as Kryo bytes: Kryo's field serializer needs neither Serializable nor a
     * no-argument constructor. A private, empty Spark config keeps a job's own spark.kryo.*
     * settings (registrationRequired) from applying.
     */
    private static final class AccumulatorBytes {
        private static final KryoSerializer KRYO = new KryoSerializer(new SparkConf(false));

        private AccumulatorBytes() {}

        static byte[] write(Object accumulator) {
            ByteBuffer buffer = KRYO.newInstance().serialize(accumulator, ClassTag$.MODULE$.AnyRef());
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }

        @SuppressWarnings("unchecked")
        static <T> T read(byte[] bytes) {
            return (T) KRYO.newInstance().deserialize(ByteBuffer.wrap(bytes), ClassTag$.MODULE$.AnyRef());
        }
    }
}
