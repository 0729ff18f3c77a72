package org.recspark.jobs.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.apache.spark.SparkException;
import org.recspark.evaluator.AucAccumulator;
import org.recspark.evaluator.CalibrationAccumulator;
import org.recspark.evaluator.GaucAccumulator;
import org.recspark.evaluator.LogLossAccumulator;
import org.recspark.evaluator.PrecisionRecallAccumulator;
import org.recspark.evaluator.RegressionErrors;

/** Spark's distributed metrics equal the evaluator's single-process ones. One local[2] session. */
class DistributedMetricsTest {
    static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("DistributedMetricsTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "7").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void equalTheSingleProcessValuesOnRandomDataWithTies() {
        SplittableRandom rnd = new SplittableRandom(8);
        List<Row> rows = new ArrayList<>();
        AucAccumulator auc = new AucAccumulator();
        GaucAccumulator gauc = new GaucAccumulator();
        LogLossAccumulator logLoss = new LogLossAccumulator();
        for (int i = 0; i < 50_000; i++) {
            double score = rnd.nextInt(2000) / 2000.0;
            double label = rnd.nextDouble() < score ? 1 : 0;
            String user = "u" + rnd.nextInt(3000);
            rows.add(RowFactory.create(user, score, label));
            auc.add(score, label);
            gauc.add(user, score, label);
            logLoss.add(score, label);
        }
        StructType schema = new StructType().add("user", DataTypes.StringType).add("score", DataTypes.DoubleType)
                .add("label", DataTypes.DoubleType);
        Dataset<Row> predictions = spark.createDataFrame(rows, schema).repartition(5);

        assertEquals(auc.value(), DistributedMetrics.auc(predictions, "score", "label"), 1e-12);
        double[] distributedGauc = DistributedMetrics.gauc(predictions, "user", "score", "label");
        assertEquals(gauc.value(), distributedGauc[0], 1e-12);
        assertEquals(gauc.users(), (long) distributedGauc[1]);
        assertEquals(gauc.skippedUsers(), (long) distributedGauc[2]);
        assertEquals(logLoss.value(), DistributedMetrics.logLoss(predictions, "score", "label"), 1e-12);
    }

    @Test
    void aucIsUndefinedWithOneClass() {
        StructType schema = new StructType().add("score", DataTypes.DoubleType).add("label", DataTypes.DoubleType);
        Dataset<Row> ones = spark.createDataFrame(List.of(RowFactory.create(0.3, 1.0), RowFactory.create(0.7, 1.0)), schema);
        assertTrue(Double.isNaN(DistributedMetrics.auc(ones, "score", "label")));
    }

    @Test
    void regressionCalibrationAndPrecisionRecallEqualTheSingleProcessValues() {
        SplittableRandom rnd = new SplittableRandom(9);
        List<Row> rows = new ArrayList<>();
        RegressionErrors errors = new RegressionErrors();
        CalibrationAccumulator calibration = new CalibrationAccumulator();
        PrecisionRecallAccumulator precisionRecall = new PrecisionRecallAccumulator(0.5);
        for (int i = 0; i < 20_000; i++) {
            // Scores on a 0.01 grid, so that many sit exactly on the 0.5 threshold (">=" decides them).
            double score = rnd.nextInt(101) / 100.0;
            double label = rnd.nextDouble() < 0.8 * score ? 1 : 0;
            double rating = 1 + 4 * rnd.nextDouble();
            double predictedRating = rating + rnd.nextGaussian() * 0.7;
            rows.add(RowFactory.create(score, label, (float) rating, predictedRating));
            errors.add(predictedRating, (float) rating);
            calibration.add(score, label);
            precisionRecall.add(score, label);
        }
        StructType schema = new StructType().add("score", DataTypes.DoubleType).add("label", DataTypes.DoubleType)
                .add("rating", DataTypes.FloatType).add("predicted_rating", DataTypes.DoubleType);
        Dataset<Row> predictions = spark.createDataFrame(rows, schema).repartition(5);
        assertEquals(5, predictions.javaRDD().getNumPartitions());

        RegressionErrors distributedErrors = DistributedMetrics.regressionErrors(predictions, "predicted_rating", "rating");
        assertEquals(errors.count(), distributedErrors.count());
        assertEquals(errors.mse(), distributedErrors.mse(), 1e-12);
        assertEquals(errors.rmse(), distributedErrors.rmse(), 1e-12);
        assertEquals(errors.mae(), distributedErrors.mae(), 1e-12);

        CalibrationAccumulator distributedCalibration = DistributedMetrics.calibration(predictions, "score", "label");
        assertEquals(calibration.count(), distributedCalibration.count());
        assertEquals(calibration.value(), distributedCalibration.value(), 1e-12);

        PrecisionRecallAccumulator distributedPr = DistributedMetrics.precisionRecall(predictions, "score", "label", 0.5);
        assertEquals(precisionRecall.count(), distributedPr.count());
        assertEquals(precisionRecall.precision(), distributedPr.precision(), 1e-15);
        assertEquals(precisionRecall.recall(), distributedPr.recall(), 1e-15);
    }

    @Test
    void mergesEmptyPartitionsAndRefusesBadColumns() {
        StructType schema = new StructType().add("score", DataTypes.DoubleType).add("label", DataTypes.DoubleType)
                .add("user", DataTypes.StringType);
        Dataset<Row> two = spark.createDataFrame(List.of(RowFactory.create(0.9, 1.0, "a"), RowFactory.create(0.2, 1.0, "b")), schema)
                .repartition(4);
        // Two rows over four partitions: at least two partitions are empty.
        PrecisionRecallAccumulator pr = DistributedMetrics.precisionRecall(two, "score", "label", 0.5);
        assertEquals(2, pr.count());
        assertEquals(1.0, pr.precision());
        assertEquals(0.5, pr.recall());
        assertTrue(Double.isNaN(DistributedMetrics.regressionErrors(two.limit(0), "score", "label").mse()));

        assertEquals("column 'user' must be numeric or boolean, got string", assertThrows(IllegalArgumentException.class,
                () -> DistributedMetrics.calibration(two, "score", "user")).getMessage());
        Dataset<Row> nullLabel = spark.createDataFrame(List.of(RowFactory.create(0.9, null, "a")), schema);
        SparkException e = assertThrows(SparkException.class, () -> DistributedMetrics.calibration(nullLabel, "score", "label"));
        assertTrue(e.getMessage().contains("null in column 'label': every row needs a score and a label"), e.getMessage());
    }
}
