package org.recspark.jobs.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.TextFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.proto.FeatureConfig;

/**
 * The feature stage's tasks need no file of the driver's: vocabulary files are read when the stage
 * is planned and travel inside the task, as executors on other hosts cannot see the driver's disk.
 */
class FeatureStageShippingTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("FeatureStageShippingTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void vocabularyFilesAreReadOnceOnTheDriverNotByTasks() throws Exception {
        Path vocabulary = Files.createDirectories(tmp.resolve("vocab")).resolve("cities.txt");
        Files.writeString(vocabulary, "paris\nlyon\nnice\n");
        FeatureConfig config = TextFormat.parse("features { name: \"city\" id { input: \"user.city\" vocab_file: \"vocab/cities.txt\" } }",
                FeatureConfig.class);
        Dataset<Row> joined = spark.createDataFrame(List.of(new City("lyon", "2026-11-01"), new City("nice", "2026-11-01"),
                new City("rome", "2026-11-02")), City.class).withColumnRenamed("city", FeatureStage.USER_PREFIX + "city");

        Dataset<Row> features = FeatureStage.apply(joined, config, tmp, List.of("dt"));
        // Gone before any task runs: a task that opened it (as an executor elsewhere would have to) fails.
        Files.delete(vocabulary);

        List<Long> ids = features.orderBy("dt", FeatureStage.FEATURES + ".city").collectAsList().stream()
                .map(r -> r.getStruct(1).<Long>getList(0).get(0)).toList();
        assertEquals(List.of(2L, 3L, 0L), ids, "1 + the position in the file; 0 out of the vocabulary");
    }

    /** A joined row: the user's city and the day. */
    public static final class City implements java.io.Serializable {
        private String city;
        private String dt;

        public City() {
        }

        City(String city, String dt) {
            this.city = city;
            this.dt = dt;
        }

        public String getCity() {
            return city;
        }

        public void setCity(String city) {
            this.city = city;
        }

        public String getDt() {
            return dt;
        }

        public void setDt(String dt) {
            this.dt = dt;
        }
    }
}
