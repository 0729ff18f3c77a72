package org.recspark.jobs.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.recspark.evaluator.AucAccumulator;
import org.recspark.evaluator.GaucAccumulator;
import org.recspark.evaluator.LogLossAccumulator;

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
}
