package org.recspark.jobs.daily;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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
import org.recspark.config.ConfigParser;
import org.recspark.evaluator.drift.DailyGuardChecks;
import org.recspark.evaluator.drift.FeatureValues;
import org.recspark.evaluator.drift.GuardCheck;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;

/**
 * The data guards' distributions aggregated by Spark: which rows count as missing, and the same
 * checks (bins, counts, PSI, report text) as the guards compute from a day's values in memory.
 */
class FeatureDistributionsTest {
    private static final FeatureSchema SCHEMA = FeatureGenerator.compile(ConfigParser.parseText("""
            feature_config {
              features { name: "tags" tag { input: "item.tags" hash_bucket_size: 100 } }
              features { name: "price" raw { input: "item.price" } }
              features { name: "city" id { input: "user.city" hash_bucket_size: 1000 } }
            }
            """, "test").getFeatureConfig(), Path.of(".")).schema();
    private static final StructType ROW = new StructType().add("click", DataTypes.DoubleType)
            .add("features", new StructType()
                    .add("tags", DataTypes.createArrayType(DataTypes.LongType, false))
                    .add("price", DataTypes.createArrayType(DataTypes.FloatType, false))
                    .add("city", DataTypes.createArrayType(DataTypes.LongType, false)));
    private static final List<String> FEATURES = List.of("tags", "price", "city");
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("FeatureDistributionsTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static Row row(double click, long[] tags, float price, long city) {
        return RowFactory.create(click, RowFactory.create(Arrays.stream(tags).boxed().toList(), List.of(price),
                city < 0 ? List.of() : List.of(city)));
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Row row, int feature) {
        return (List<T>) row.getStruct(1).get(feature);
    }

    private static Dataset<Row> day(List<Row> rows) {
        return spark.createDataFrame(rows, ROW).repartition(3);
    }

    @Test
    void sparseRowsWithoutIdsAndDenseRowsOfNaNAreMissing() {
        FeatureDistributions distributions = new FeatureDistributions(spark, SCHEMA, FEATURES, List.of("click"));
        Dataset<Row> day = day(List.of(row(1, new long[]{3, 7}, 1.5f, 4), row(0, new long[]{}, Float.NaN, -1),
                row(0, new long[]{7}, 4f, 4)));
        FeatureDistributions.DayCounts counts = distributions.count(day, Optional.empty());
        assertEquals(3, counts.rows());
        assertArrayEquals(new long[]{1}, counts.positives());
        assertArrayEquals(new long[]{1, 1, 1}, counts.missing());
        assertArrayEquals(new long[]{3, 2, 2}, counts.values());
    }

    /** A day's rows: skewed ids with empty rows, prices with ties, NaNs and signed zeros. */
    private static List<Row> generate(long seed, int rows, int cityShift) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Row> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int tagCount = random.nextInt(4);
            long[] tags = new long[tagCount];
            for (int t = 0; t < tagCount; t++) {
                tags[t] = (long) Math.floor(Math.pow(random.nextDouble(), 3) * 100);
            }
            double u = random.nextDouble();
            float price = u < 0.05 ? Float.NaN : u < 0.15 ? 0f : u < 0.2 ? -0f : (float) Math.round(random.nextDouble() * 200) / 4;
            long city = random.nextDouble() < 0.1 ? -1 : (long) Math.floor(Math.pow(random.nextDouble(), 2) * 40) + cityShift;
            out.add(row(random.nextDouble() < 0.2 ? 1 : 0, tags, price, city));
        }
        return out;
    }

    /** The feature's values of rows in memory, as the guards read them. */
    private static FeatureValues values(List<Row> rows, int f) {
        int missing = 0;
        if (f == 1) {
            double[] numeric = new double[rows.size()];
            for (int r = 0; r < rows.size(); r++) {
                numeric[r] = FeatureDistributionsTest.<Float>list(rows.get(r), 1).get(0);
                missing += Double.isNaN(numeric[r]) ? 1 : 0;
            }
            return FeatureValues.numeric(FEATURES.get(f), rows.size(), missing, numeric);
        }
        List<Long> ids = new ArrayList<>();
        for (Row row : rows) {
            List<Long> rowIds = list(row, f);
            ids.addAll(rowIds);
            missing += rowIds.isEmpty() ? 1 : 0;
        }
        return FeatureValues.ids(FEATURES.get(f), rows.size(), missing, ids.stream().mapToLong(Long::longValue).toArray());
    }

    @Test
    void theChecksEqualTheChecksOfTheValuesInMemory() {
        List<Row> referenceRows = generate(1, 3000, 0);
        List<Row> currentRows = generate(2, 2500, 3);
        FeatureDistributions distributions = new FeatureDistributions(spark, SCHEMA, FEATURES, List.of("click"));
        Dataset<Row> reference = day(referenceRows);
        Dataset<Row> current = day(currentRows);
        FeatureDistributions.Bins bins = distributions.bins(reference, distributions.count(reference, Optional.empty()), 10, 5);
        List<GuardCheck> checks = distributions.drift(bins, distributions.count(reference, Optional.of(bins)),
                distributions.count(current, Optional.of(bins)), 0.1, 0.05);
        List<GuardCheck> expected = new ArrayList<>();
        for (int f = 0; f < FEATURES.size(); f++) {
            expected.addAll(DailyGuardChecks.drift(values(referenceRows, f), values(currentRows, f), 10, 5, 0.1, 0.05));
        }
        assertEquals(expected, checks);
    }
}
