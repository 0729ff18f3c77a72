package org.recspark.jobs;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.proto.InputConfig;
import org.recspark.jobs.retrieval.KeyedEmbeddings;
import org.recspark.jobs.retrieval.TwoTowerBundle;
import org.recspark.jobs.samples.PartitionedOutputDirectory;
import org.recspark.model.TwoTowerModel;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.Locations;

/**
 * {@code recspark export-embeddings --bundle DIR --samples PATH --out PATH}: a two-tower bundle's
 * user and item embeddings for a vector store, keyed by the raw ids (not the model's internal
 * slots): Parquet under {@code OUT/users} (user id, embedding) and {@code OUT/items} (item id,
 * embedding), one row per distinct id of the samples, each embedded from its newest row.
 */
final class ExportEmbeddingsCommand extends OptionCommand {
    ExportEmbeddingsCommand(PrintStream out) {
        super("export-embeddings", "Spark job: a two-tower bundle's user and item embeddings by raw id, to Parquet",
                out, Set.of("bundle", "samples", "out"), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark export-embeddings --bundle DIR --samples PATH --out PATH\n"
                + "  DIR is a two-tower (dssm, mf_bpr) export bundle; PATH of --samples is build-samples' output. Writes OUT/users and\n"
                + "  OUT/items: Parquet rows (raw id, embedding array<float>), one per distinct id, from its newest sample.";
    }

    @Override
    int run(CommandLine cl) {
        TwoTowerBundle bundle = TwoTowerBundle.load(cl.required("bundle"));
        InputConfig input = bundle.config().getInputConfig();
        Path outDir = Locations.of(cl.required("out"));
        SparkSession spark = sparkSession("export-embeddings", List.of());
        String samplesPath = cl.required("samples");
        Dataset<Row> samples = PartitionedOutputDirectory.read(spark, samplesPath);
        KeyedEmbeddings users = bundle.embed(samples, "--samples " + samplesPath, input.getUserIdField(), TwoTowerModel.USER_EMBEDDING);
        KeyedEmbeddings items = bundle.embed(samples, "--samples " + samplesPath, input.getItemIdField(), TwoTowerModel.ITEM_EMBEDDING);
        try (DirectoryLock lock = AtomicOutputDirectory.lock(outDir, "export-embeddings --out " + cl.required("out"))) {
            users.toDataset(spark, input.getUserIdField()).coalesce(1).write().mode(SaveMode.Overwrite)
                    .parquet(Locations.uri(outDir.resolve("users")));
            items.toDataset(spark, input.getItemIdField()).coalesce(1).write().mode(SaveMode.Overwrite)
                    .parquet(Locations.uri(outDir.resolve("items")));
            lock.checkHeld();
        }
        out.printf(Locale.ROOT, "export-embeddings: %d users and %d items, dim %d -> %s and %s%n", users.size(), items.size(), users.dim(),
                outDir.resolve("users"), outDir.resolve("items"));
        return 0;
    }
}
