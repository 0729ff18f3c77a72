package org.recspark.jobs;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.jobs.samples.SampleBuildJob;
import org.recspark.storage.Locations;

/**
 * {@code recspark build-samples --config CONFIG (--out PATH | --out-table TABLE) [--date YYYY-MM-DD] [--rejects PATH]}:
 * the Spark job that turns raw logs into training samples (Parquet or a Hive table, partitioned by dt).
 */
final class BuildSamplesCommand extends OptionCommand {
    BuildSamplesCommand(PrintStream out) {
        super("build-samples",
                "Spark job: raw logs -> training samples with replayed behaviour statistics (Parquet by dt)",
                out, Set.of(ConfigOption.NAME, OutputOption.PATH, OutputOption.TABLE, "date", "rejects"), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark build-samples --config CONFIG (--out PATH | --out-table [DB.]TABLE) [--date YYYY-MM-DD] [--rejects PATH]\n"
                + "  PATH may be a local path or a Hadoop URI (hdfs://, s3a://); rejects default to input_config.rejects.path,\n"
                + "  else PATH_rejects (with --out-table, --rejects or input_config.rejects.path is required). TABLE is a Hive\n"
                + "  table, created when absent (Parquet, partitioned by dt). With --date only that day's partition is built and replaced.";
    }

    @Override
    int run(CommandLine cl) {
        ConfigOption configOption = ConfigOption.of(cl);
        Optional<String> date = cl.date("date");
        OutputOption output = OutputOption.parse(cl);
        PipelineConfig config = configOption.loadRequiring("", "input_config");
        Path baseDir = configOption.baseDir();
        String rejects = cl.optional("rejects").orElseGet(() -> config.getInputConfig().getRejects().hasPath()
                ? Locations.uri(Locations.resolve(baseDir, config.getInputConfig().getRejects().getPath()))
                : output.rejectsBeside("--rejects PATH or input_config.rejects.path"));
        Optional<String> itemTable = SampleBuildJob.needsItemTable(config)
                ? Optional.of(SampleBuildJob.itemTableBeside(output.pathFor("model_config.dssm.negative_sampler.pool: ITEM_TABLE writes the "
                        + "item table beside the samples, as Parquet"))) : Optional.empty();
        Optional<String> hardNegatives = SampleBuildJob.needsHardNegatives(config)
                ? Optional.of(SampleBuildJob.hardNegativesBeside(output.pathFor("model_config.dssm.negative_sampler.hard_negatives_per_user "
                        + "writes the hard negatives beside the samples, as Parquet"))) : Optional.empty();
        SparkSession spark = sparkSession(config.getName(), output.hiveTables(config.getInputConfig()));
        SampleBuildJob job = new SampleBuildJob(spark, config, baseDir);
        SampleBuildJob.Summary summary = job.run(output.sink(spark), rejects, date);
        out.printf(Locale.ROOT, "build-samples: %d samples -> %s in %.1f s%n", summary.totalSamples(), output, summary.seconds());
        itemTable.ifPresent(path -> out.printf(Locale.ROOT, "build-samples: %d items of input_config.items with their features -> %s "
                + "(model_config.dssm.negative_sampler.pool: ITEM_TABLE)%n", job.writeItemTable(path), path));
        hardNegatives.ifPresent(path -> {
            String hardRejects = SampleBuildJob.hardNegativesBeside(rejects);
            SampleBuildJob.HardNegatives written = job.writeHardNegatives(path, hardRejects);
            out.printf(Locale.ROOT, "build-samples: %d hard negatives with their item features -> %s; rejected %d of an item not in "
                    + "input_config.items and %d malformed rows -> %s%n", written.written(), path, written.unknownItem(), written.rejected(),
                    hardRejects);
        });
        var perDate = new java.util.ArrayList<>(summary.samplesPerDate().entrySet());
        if (perDate.size() <= 10) {
            perDate.forEach(e -> out.printf(Locale.ROOT, "  dt=%s: %d samples%n", e.getKey(), e.getValue()));
        } else {
            long min = perDate.stream().mapToLong(java.util.Map.Entry::getValue).min().orElse(0);
            long max = perDate.stream().mapToLong(java.util.Map.Entry::getValue).max().orElse(0);
            out.printf(Locale.ROOT, "  %d partitions dt=%s .. dt=%s, %d to %d samples each%n", perDate.size(),
                    perDate.get(0).getKey(), perDate.get(perDate.size() - 1).getKey(), min, max);
        }
        out.printf(Locale.ROOT, "build-samples: %d rejected samples; rejects by reason %s -> %s%n",
                summary.rejectedSamples(), summary.rejectsPerReason(), rejects);
        return 0;
    }
}
