package org.recspark.bench.samples;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.BehaviourLogInput;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.storage.Locations;

/**
 * What any Spark implementation of {@code build-samples} must spend at least, measured on the
 * same machine and logs (issue 16: "for a target beyond the machine, measure the machine's own
 * ceiling"). Each unavoidable step is run alone, to Spark's {@code noop} sink where it produces
 * nothing: starting the JVM and the session; parsing every input once with Spark's CSV reader and
 * the declared types; the two shuffles a replay needs (impressions and events together,
 * partitioned and sorted by user and time, then by item and time); and writing rows of exactly
 * the job's output as Parquet partitioned by {@code dt} (build-samples' own output re-written:
 * the read of it is measured alone and subtracted). Checks, statistics and features are left out,
 * so the sum is a lower bound of the job's time, not an estimate of it.
 */
public final class SampleJobFloor {
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final Map<String, double[]> phases = new LinkedHashMap<>();

    private void measure(String phase, Runnable step) {
        long wall = System.nanoTime();
        long cpu = OS.getProcessCpuTime();
        step.run();
        phases.put(phase, new double[] {(System.nanoTime() - wall) / 1e9, (OS.getProcessCpuTime() - cpu) / 1e9});
    }

    private static void noop(Dataset<Row> rows) {
        rows.write().format("noop").mode(SaveMode.Overwrite).save();
    }

    /**
     * {@code SampleJobFloor --config PIPELINE --samples BUILT --out PATH}: BUILT is build-samples'
     * output for the same config (re-written to PATH). Prints one line per phase and the total.
     */
    public static void main(String[] args) {
        String usage = "usage: SampleJobFloor --config PIPELINE --samples BUILD_SAMPLES_OUTPUT --out PATH";
        Path config = null;
        String samples = null;
        String out = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " has no value; " + usage);
            }
            switch (args[i]) {
                case "--config" -> config = Locations.of(args[i + 1]);
                case "--samples" -> samples = args[i + 1];
                case "--out" -> out = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + usage);
            }
        }
        if (config == null || samples == null || out == null) {
            throw new IllegalArgumentException(usage);
        }
        new SampleJobFloor().run(ConfigParser.load(config), Locations.parentOf(config), samples, out);
    }

    private void run(PipelineConfig pipeline, Path baseDir, String samples, String out) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        SparkSession spark = SparkSession.builder().appName("build-samples floor").config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
        phases.put("JVM and Spark session start", new double[] {(System.currentTimeMillis() - jvmStart) / 1e3, OS.getProcessCpuTime() / 1e9});
        SparkSqlSamplePeer peer = new SparkSqlSamplePeer(spark, pipeline, baseDir);
        InputConfig input = pipeline.getInputConfig();
        BehaviourLogInput log = input.getBehaviours();
        measure("parse the impressions once", () -> noop(peer.read(input.getSamples(), "input_config.samples")));
        measure("parse the behaviour log once", () -> noop(peer.read(log.getTable(), "input_config.behaviours.table")));
        if (input.hasUsers()) {
            measure("parse the users once", () -> noop(peer.read(input.getUsers(), "input_config.users")));
        }
        if (input.hasItems()) {
            measure("parse the items once", () -> noop(peer.read(input.getItems(), "input_config.items")));
        }
        Dataset<Row> impressions = peer.read(input.getSamples(), "input_config.samples");
        Dataset<Row> events = peer.read(log.getTable(), "input_config.behaviours.table");
        List<Column> eventColumns = new ArrayList<>();
        for (String c : impressions.columns()) {
            if (c.equals(input.getUserIdField())) {
                eventColumns.add(col(log.getUserIdField()).as(c));
            } else if (c.equals(input.getItemIdField())) {
                eventColumns.add(col(log.getItemIdField()).as(c));
            } else if (c.equals(input.getTimeField())) {
                eventColumns.add(col(log.getTimeField()).cast(DataTypes.LongType).as(c));
            } else {
                eventColumns.add(lit(null).cast(impressions.schema().apply(c).dataType()).as(c));
            }
        }
        Dataset<Row> stream = impressions.unionByName(events.select(eventColumns.toArray(Column[]::new)));
        // The replay's parse is measured again, warm, so that subtracting it leaves the sorts alone.
        measure("parse impressions and behaviour log again", () -> noop(stream));
        measure("parse them and sort by user, time, then by item, time", () -> noop(stream
                .repartition(col(input.getUserIdField())).sortWithinPartitions(input.getUserIdField(), input.getTimeField())
                .repartition(col(input.getItemIdField())).sortWithinPartitions(input.getItemIdField(), input.getTimeField())));
        measure("read build-samples' output", () -> noop(spark.read().parquet(samples)));
        measure("read it and write it as Parquet by dt", () -> spark.read().parquet(samples).write().mode(SaveMode.Overwrite)
                .partitionBy(SparkSqlSamplePeer.DT).parquet(out));
        spark.stop();

        double[] start = phases.get("JVM and Spark session start");
        double[] parse = sum("parse the ");
        double[] sorts = minus(phases.get("parse them and sort by user, time, then by item, time"),
                phases.get("parse impressions and behaviour log again"));
        double[] write = minus(phases.get("read it and write it as Parquet by dt"), phases.get("read build-samples' output"));
        for (Map.Entry<String, double[]> phase : phases.entrySet()) {
            System.out.printf(Locale.ROOT, "floor phase: %-56s wall %7.1f s  cpu %7.1f s%n", phase.getKey(), phase.getValue()[0], phase.getValue()[1]);
        }
        System.out.printf(Locale.ROOT, "floor parts: start %.1f s, parse %.1f s, two replay sorts %.1f s, Parquet write %.1f s (wall)%n",
                start[0], parse[0], sorts[0], write[0]);
        System.out.printf(Locale.ROOT, "floor: %.1f s wall, %.1f s cpu (start + parse each input once + two replay sorts + the "
                + "Parquet write of the output)%n", start[0] + parse[0] + sorts[0] + write[0], start[1] + parse[1] + sorts[1] + write[1]);
    }

    private double[] sum(String prefix) {
        double[] total = new double[2];
        phases.forEach((name, v) -> {
            if (name.startsWith(prefix)) {
                total[0] += v[0];
                total[1] += v[1];
            }
        });
        return total;
    }

    private static double[] minus(double[] a, double[] b) {
        return new double[] {a[0] - b[0], a[1] - b[1]};
    }
}
