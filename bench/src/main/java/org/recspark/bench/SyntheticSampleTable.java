package org.recspark.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.features.Side;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Writes a table of training samples in the sample job's layout (request, user and item ids, time,
 * a click label, dt partitions, and the {@code features} struct of the config's feature schema)
 * without running the sample job, for benchmarks of training at sizes the sample job takes long to
 * build: {@code SyntheticSampleTable --config CONFIG --out PATH --rows N [--days D]}.
 *
 * <p>Rows are a function of their index: users and items drawn with a skew, each feature's ids
 * hashed from the entities of its sides (so a user's features repeat with the user), tags of 1-4
 * ids, sequences of 0-20, dense values from the same hashes; clicks with a planted signal for the
 * model to learn: a user bias, an item bias, a user-item affinity, and a bias per id of each
 * feature of at most 1,000 ids. Time increases with the
 * index over D days (UTC), N / D rows a day. Spark writes each day with a task per 125,000 rows, so
 * files keep one size whatever the table's.
 */
public final class SyntheticSampleTable {
    private static final int USERS = 200_000;
    private static final int ITEMS = 50_000;
    private static final long START = Instant.parse("2026-11-01T00:00:00Z").getEpochSecond();

    private SyntheticSampleTable() {
    }

    public static void main(String[] args) {
        Path config = null;
        String out = null;
        long rows = 0;
        int days = 10;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--config" -> config = Path.of(args[i + 1]);
                case "--out" -> out = args[i + 1];
                case "--rows" -> rows = Long.parseLong(args[i + 1]);
                case "--days" -> days = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (config == null || out == null || rows <= 0) {
            throw new IllegalArgumentException("usage: SyntheticSampleTable --config CONFIG --out PATH --rows N [--days D]");
        }
        PipelineConfig pipeline = ConfigParser.load(config);
        FeatureSchema schema = FeatureGenerator.compile(pipeline.getFeatureConfig(), config.toAbsolutePath().getParent()).schema();
        StructType features = new StructType();
        for (FeatureSpec spec : schema.features()) {
            features = features.add(spec.name(), DataTypes.createArrayType(spec.sparse() ? DataTypes.LongType : DataTypes.FloatType, false), false);
            if (spec.weighted()) {
                features = features.add(spec.name() + "__weights", DataTypes.createArrayType(DataTypes.FloatType, false), false);
            }
        }
        StructType type = new StructType().add("request_id", DataTypes.StringType).add("user_id", DataTypes.StringType)
                .add("item_id", DataTypes.StringType).add("ts", DataTypes.LongType).add("click", DataTypes.DoubleType)
                .add("features", features, false);
        SparkSession spark = SparkSession.builder().appName("synthetic samples").getOrCreate();
        long span = days * 86_400L;
        Generate generate = new Generate(pipeline.getFeatureConfig().toByteArray(), config.toAbsolutePath().getParent().toString(), rows, span);
        // One write per day into its dt= directory: the layout of partitionBy("dt") without its sort of the rows.
        for (int day = 0; day < days; day++) {
            long from = rows * day / days;
            long to = rows * (day + 1) / days;
            String dt = Instant.ofEpochSecond(START + day * 86_400L).atZone(ZoneOffset.UTC).toLocalDate().toString();
            spark.range(from, to, 1, (int) Math.max(1, (to - from + 124_999) / 125_000)).mapPartitions(generate, Encoders.row(type))
                    .write().mode(SaveMode.Overwrite).parquet(out + "/dt=" + dt);
        }
        try (FileSystem fs = FileSystem.newInstance(URI.create(out), spark.sparkContext().hadoopConfiguration())) {
            fs.create(new org.apache.hadoop.fs.Path(out, "_SUCCESS")).close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark " + out + " complete", e);
        }
        System.out.println("wrote " + rows + " samples to " + out);
        spark.stop();
    }

    private static final class Generate implements MapPartitionsFunction<Long, Row> {
        private static final long serialVersionUID = 1L;
        private final byte[] featureConfig;
        private final String baseDir;
        private final long rows;
        private final long span;

        Generate(byte[] featureConfig, String baseDir, long rows, long span) {
            this.featureConfig = featureConfig;
            this.baseDir = baseDir;
            this.rows = rows;
            this.span = span;
        }

        @Override
        public Iterator<Row> call(Iterator<Long> indices) throws Exception {
            FeatureSchema schema = FeatureGenerator.compile(org.recspark.config.proto.FeatureConfig.parseFrom(featureConfig), Path.of(baseDir))
                    .schema();
            List<Row> out = new ArrayList<>();
            while (indices.hasNext()) {
                out.add(row(indices.next(), schema));
            }
            return out.iterator();
        }

        private Row row(long k, FeatureSchema schema) {
            SplittableRandom random = new SplittableRandom(mix(k, 0x5EED));
            int user = (int) (USERS * Math.pow(random.nextDouble(), 2));
            int item = (int) (ITEMS * Math.pow(random.nextDouble(), 1.5));
            long request = k / 10;
            long ts = START + k * span / rows;
            double logit = -2.2 + bias(user, 1) + bias(item, 2) + (user % 7 == item % 7 ? 1 : 0);
            List<Object> values = new ArrayList<>();
            for (int f = 0; f < schema.size(); f++) {
                FeatureSpec spec = schema.features().get(f);
                long key = mix(f, 31);
                for (Side side : spec.sides()) {
                    key = mix(key, side == Side.USER ? user : side == Side.ITEM ? ITEMS + item : 2L * ITEMS + request % 1000);
                }
                int count = spec.type() == Feature.TypeCase.TAG ? 1 + (int) Math.floorMod(mix(key, 1), 4)
                        : spec.type() == Feature.TypeCase.SEQUENCE ? (int) Math.floorMod(mix(key, 2), 21) : 1;
                if (spec.sparse()) {
                    Long[] ids = new Long[count];
                    for (int j = 0; j < count; j++) {
                        ids[j] = Math.floorMod(mix(key, 100 + j), spec.idSpaceSize());
                    }
                    values.add(seq(ids));
                    if (count > 0 && spec.idSpaceSize() <= 1000) {
                        logit += 0.8 * bias(ids[0], f);
                    }
                    if (spec.weighted()) {
                        Float[] weights = new Float[count];
                        for (int j = 0; j < count; j++) {
                            weights[j] = Math.floorMod(mix(key, 200 + j), 1000) / 1000f;
                        }
                        values.add(seq(weights));
                    }
                } else {
                    Float[] dense = new Float[spec.denseDim()];
                    for (int j = 0; j < dense.length; j++) {
                        dense[j] = Math.floorMod(mix(key, 300 + j), 1000) / 300f;
                    }
                    values.add(seq(dense));
                }
            }
            double click = random.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
            return RowFactory.create("r" + request, "u" + user, "i" + item, ts, click, RowFactory.create(values.toArray()));
        }

        /** An array column's value, as Spark's row encoder takes it. */
        private static <T> scala.collection.immutable.Seq<T> seq(T[] values) {
            return CollectionConverters.asScala(Arrays.asList(values)).toSeq().toList();
        }

        /** An entity's (a user's, an item's, an id's) bias in [-1, 1), fixed by its index. */
        private static double bias(long entity, int salt) {
            return Math.floorMod(mix(entity, salt), 2000) / 1000.0 - 1;
        }

        private static long mix(long a, long b) {
            long h = a * 0x9E3779B97F4A7C15L + b;
            h ^= h >>> 31;
            h *= 0xBF58476D1CE4E5B9L;
            return h ^ (h >>> 29);
        }
    }
}
