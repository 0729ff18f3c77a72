package org.recspark.jobs;

import static org.apache.spark.sql.functions.col;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.recspark.config.proto.InputConfig;
import org.recspark.jobs.retrieval.KeyedEmbeddings;
import org.recspark.jobs.retrieval.TwoTowerBundle;
import org.recspark.jobs.samples.PartitionedOutputDirectory;
import org.recspark.jobs.training.SampleSplit;
import org.recspark.model.TwoTowerModel;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.Locations;
import org.recspark.trainer.retrieval.EmbeddingSimilarity;
import org.recspark.trainer.retrieval.ExactTopK;
import org.recspark.trainer.retrieval.TopKResult;

/**
 * {@code recspark retrieve --bundle DIR (--users PATH [--history PATH] | --samples PATH --split S) --k K --out PATH [--items PATH]
 * [--index exact|ann]}:
 * each user's K best items of the whole item corpus by a two-tower bundle, exact ({@link ExactTopK})
 * or, with {@code --index ann}, approximate over a graph index of the items ({@link RetrievalIndexOption}), written as Parquet rows (user id, rank, item id, score) keyed by the raw ids. Users are the
 * distinct user ids of a built samples table, each embedded from its newest row; the corpus is the
 * distinct item ids of {@code --items} (default: the users' table), each from its newest row. With
 * {@code --history}, a table with the user and item id columns (the training samples, say), the
 * items a user has a row with there are left out of their ranking. With {@code --samples PATH --split S}
 * the users are those of split S of the bundle's input_config.split (as predict and evaluate select it)
 * and the items a user has a positive row with in the training rows (for test, also the evaluation
 * rows) are left out, the pairs evaluate's ranking metrics exclude. The score is the inner product
 * of the towers' embeddings (the model's pair logit times its temperature).
 */
final class RetrieveCommand extends OptionCommand {
    RetrieveCommand(PrintStream out) {
        super("retrieve", "Spark job: each user's top-K items of the corpus by a two-tower bundle (exact or ANN), to Parquet",
                out, Stream.concat(Stream.of("bundle", "users", "samples", SplitOption.NAME, "items", "history", "k", "out", "threads"),
                        RetrievalIndexOption.NAMES.stream()).collect(Collectors.toUnmodifiableSet()), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark retrieve --bundle DIR (--users PATH [--history PATH] | --samples PATH --split train|eval|test|all)\n"
                + "         --k K --out PATH [--items PATH] [--threads N]\n"
                + "         [--index exact|ann] [--ann-degree 32] [--ann-beam-width 100] [--ann-overquery 10]\n"
                + "         [--ann-build-threads 1] [--index-dir DIR]\n"
                + "  DIR is a two-tower (dssm, mf_bpr) export bundle; PATH of --users, --samples and --items are built samples\n"
                + "  (build-samples' output). --users ranks for every user of that table; --history names a table with the user\n"
                + "  and item id columns whose pairs are excluded. --samples PATH --split S ranks for the users of split S of the\n"
                + "  bundle's input_config.split (as predict/evaluate --split select it), each user's items of the training rows\n"
                + "  excluded (for test, of the training and evaluation rows, as evaluate excludes them). The items default to\n"
                + "  the users' table (--samples: the whole table). --index ann searches a graph index of the items instead of\n"
                + "  scoring every pair: its degree, build beam width and search list (overquery x K) trade recall for time.\n"
                + "  --ann-build-threads > 1 builds the graph faster, but two builds then differ slightly (1: the same graph every run).\n"
                + "  --index-dir saves the graph index there (local path or Hadoop URI) and later runs load it instead of building\n"
                + "  it; an index of another bundle, other items or other settings, or a damaged one, is refused.\n"
                + "  Output: Parquet rows (user id, rank, item id, score), rank 1 the best.";
    }

    @Override
    int run(CommandLine cl) {
        cl.required("k");
        int k = cl.positiveInt("k", 1);
        int threads = cl.positiveInt("threads", 2);
        RetrievalIndexOption index = RetrievalIndexOption.of(cl);
        Queries.checkOptions(cl);
        TwoTowerBundle bundle = TwoTowerBundle.load(cl.required("bundle"));
        EmbeddingSimilarity similarity = EmbeddingSimilarity.of(bundle.config().getModelConfig());
        InputConfig input = bundle.config().getInputConfig();
        String userField = input.getUserIdField();
        String itemField = input.getItemIdField();
        Path outDir = Locations.of(cl.required("out"));
        SparkSession spark = sparkSession("retrieve", List.of());
        long started = System.nanoTime();
        Queries queries = Queries.of(cl, spark, bundle);
        KeyedEmbeddings users = bundle.embed(queries.users(), queries.usersTable(), userField, TwoTowerModel.USER_EMBEDDING);
        String itemsTable = cl.optional("items").map(p -> "--items " + p).orElse(queries.usersTable());
        Dataset<Row> itemRows = cl.optional("items").map(p -> PartitionedOutputDirectory.read(spark, p)).orElse(queries.items());
        KeyedEmbeddings items = bundle.embed(itemRows, itemsTable, itemField, TwoTowerModel.ITEM_EMBEDDING);
        int[][] excluded = new int[users.size()][0];
        long excludedPairs = 0;
        if (queries.seen().isPresent()) {
            excluded = seen(queries.seen().get(), queries.seenTable(), userField, itemField, users, items);
            for (int[] e : excluded) {
                excludedPairs += e.length;
            }
        }
        RetrievalIndexOption.Searched searched = users.size() == 0 || items.size() == 0
                ? new RetrievalIndexOption.Searched(TopKResult.empty(users.size()), "nothing to rank")
                : index.search(users, items, excluded, k, similarity, threads, bundle);
        TopKResult top = searched.top();
        StructType schema = new StructType()
                .add(userField, users.keyType(), false)
                .add("rank", DataTypes.IntegerType, false)
                .add(itemField, items.keyType(), false)
                .add("score", DataTypes.FloatType, false);
        List<Row> rows = new ArrayList<>();
        for (int u = 0; u < users.size(); u++) {
            for (int r = 0; r < top.items()[u].length; r++) {
                rows.add(RowFactory.create(users.keys().get(u), r + 1, items.keys().get(top.items()[u][r]), top.scores()[u][r]));
            }
        }
        try (DirectoryLock lock = AtomicOutputDirectory.lock(outDir, "retrieve --out " + cl.required("out"))) {
            // Spark's overwrite deletes the directory whole, as a commit would
            AtomicOutputDirectory.requireReplaceable(outDir, PartitionedOutputDirectory.SUCCESS);
            spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.Overwrite).parquet(Locations.uri(outDir));
            lock.checkHeld();
        }
        out.printf(Locale.ROOT, "retrieve: top-%d of %d items for %d users%s (%d seen pairs excluded; %s) -> %s (%d rows) in %.1f s%n", k,
                items.size(), users.size(), queries.whose(), excludedPairs, searched.description(), cl.required("out"), rows.size(),
                (System.nanoTime() - started) / 1e9);
        return 0;
    }

    /**
     * Whom to rank for and what to leave out of their rankings: the users of {@code --users} and the
     * pairs of {@code --history}, or the users of one split of {@code --samples} and their items of
     * the rows before it (the training rows; for test also the evaluation rows), positives only, the
     * pairs evaluate's ranking metrics exclude.
     *
     * @param items the corpus's rows unless {@code --items} is given
     * @param whose how the output line names the users after "for N users" ("" for --users)
     */
    private record Queries(Dataset<Row> users, String usersTable, Dataset<Row> items, Optional<Dataset<Row>> seen, String seenTable,
                           String whose) {
        /** The exclusive options, checked before any work. */
        static void checkOptions(CommandLine cl) {
            boolean byUsers = cl.optional("users").isPresent();
            boolean bySplit = cl.optional(SplitOption.NAME).isPresent();
            if (byUsers && bySplit) {
                throw new UsageException("--users and --split are exclusive: --split takes its users from a split of --samples");
            }
            if (byUsers && cl.optional("samples").isPresent()) {
                throw new UsageException("--users and --samples are exclusive: rank for the users of a table (--users PATH) or of a split "
                        + "of the bundle's samples (--samples PATH --split S)");
            }
            if (!byUsers && !bySplit) {
                throw new UsageException(cl.optional("samples").isPresent()
                        ? "--samples needs --split train|eval|test|all: the split whose users to rank for"
                        : "pass --users PATH (the users of a built samples table) or --samples PATH --split train|eval|test|all "
                                + "(the users of a split of the samples the bundle was trained on)");
            }
            if (bySplit && cl.optional("samples").isEmpty()) {
                throw new UsageException("--split needs --samples PATH: the built samples the bundle was trained on");
            }
            if (bySplit && cl.optional("history").isPresent()) {
                throw new UsageException("--history and --split are exclusive: --split excludes each user's training items itself");
            }
        }

        static Queries of(CommandLine cl, SparkSession spark, TwoTowerBundle bundle) {
            if (cl.optional("users").isPresent()) {
                String usersPath = cl.required("users");
                Dataset<Row> users = PartitionedOutputDirectory.read(spark, usersPath);
                Optional<String> history = cl.optional("history");
                return new Queries(users, "--users " + usersPath, users, history.map(h -> PartitionedOutputDirectory.read(spark, h)),
                        history.map(h -> "--history " + h).orElse(""), "");
            }
            InputConfig input = bundle.config().getInputConfig();
            SplitOption split = SplitOption.of(cl, input);
            BuiltSamplesSplit.require(input, "--split " + split.value() + " needs training rows to exclude, so it");
            String samplesPath = cl.required("samples");
            Dataset<Row> samples = PartitionedOutputDirectory.read(spark, samplesPath);
            String label = bundle.label();
            if (!List.of(samples.columns()).contains(label)) {
                throw new UsageException("--samples " + samplesPath + " has no column '" + label + "', the label of the bundle's model");
            }
            List<SampleSplit.Part> parts = SampleSplit.parts(samples, input);
            Dataset<Row> users = split == SplitOption.ALL ? samples : parts.get(split.ordinal()).rows();
            Dataset<Row> before = split == SplitOption.TEST ? parts.get(0).rows().union(parts.get(1).rows()) : parts.get(0).rows();
            Dataset<Row> seen = before.where(col("`" + label + "`").gt(0));
            return new Queries(users, "the " + split.value() + " split of --samples " + samplesPath, samples, Optional.of(seen),
                    (split == SplitOption.TEST ? "the training and evaluation rows" : "the training rows") + " of --samples " + samplesPath,
                    split == SplitOption.ALL ? " of every split" : " of the " + split.value() + " split");
        }
    }

    /** Per user, the corpus indices of the items it has rows with in the history table. */
    private static int[][] seen(Dataset<Row> history, String table, String userField, String itemField, KeyedEmbeddings users,
                                KeyedEmbeddings items) {
        List<String> columns = List.of(history.columns());
        if (!columns.contains(userField) || !columns.contains(itemField)) {
            throw new UsageException(table + " needs the columns '" + userField + "' and '" + itemField + "'; it has " + columns);
        }
        Map<String, Integer> userIndex = index(users);
        Map<String, Integer> itemIndex = index(items);
        List<List<Integer>> seen = new ArrayList<>();
        for (int u = 0; u < users.size(); u++) {
            seen.add(new ArrayList<>());
        }
        Iterator<Row> pairs = history.select(col("`" + userField + "`"), col("`" + itemField + "`")).distinct().toLocalIterator();
        while (pairs.hasNext()) {
            Row pair = pairs.next();
            if (pair.isNullAt(0) || pair.isNullAt(1)) {
                throw new UsageException(table + " has a row without a " + (pair.isNullAt(0) ? userField : itemField));
            }
            Integer u = userIndex.get(pair.get(0).toString());
            Integer i = itemIndex.get(pair.get(1).toString());
            // Users not retrieved for and items outside the corpus cannot be ranked: nothing to exclude.
            if (u != null && i != null) {
                seen.get(u).add(i);
            }
        }
        int[][] out = new int[users.size()][];
        for (int u = 0; u < out.length; u++) {
            out[u] = seen.get(u).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    private static Map<String, Integer> index(KeyedEmbeddings e) {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < e.size(); i++) {
            out.put(e.keys().get(i).toString(), i);
        }
        return out;
    }
}
