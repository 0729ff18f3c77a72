package org.recspark.bench.retrieval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.recspark.bench.BenchArgs;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.RankingMetric;
import org.recspark.sampledata.MovieLens100k;

/**
 * Retrieval peers on MovieLens-100K in one run (bench/retrieval-movielens): the popularity
 * baseline, Spark MLlib's implicit ALS and RecSpark's MF-BPR and two-tower models on one by-time
 * split ({@code --split global}, {@link TimeCutSplit}: the last 20% of ratings by time are the test
 * period, the 15% before it the validation period; {@code --split per-user}, {@link
 * PerUserTimeSplit}: the same fractions of each user's ratings; positives are ratings >= 4), each choosing its settings on validation and
 * scored on test by the same code ({@link HeldOutRanking#evaluate}). Prints a table of Recall@20,
 * NDCG@20, HitRate@20 and training seconds, and the two-tower's Recall@20 over each other method's.
 *
 * <pre>
 *   RetrievalPeersBench --data DIR/movielens-100k --config examples/retrieval/movielens_two_tower.pbtxt
 *       [--variant 'model_config { dssm { temperature: 0.05 } }' ...] [--history-rows next|next+R@W|gap@W ...] [--threads 2] [--als-grid default|small]
 *       [--mf-bpr-config mf_bpr.pbtxt [--mf-bpr-variant TEXT ...]] [--methods popularity,als,mf-bpr,two-tower]
 *       [--split global|per-user]
 * </pre>
 * Spark runs in local mode with {@code spark.master} (default local[2]).
 */
public final class RetrievalPeersBench {
    static final double TEST_FRACTION = 0.2;
    static final double VALIDATION_FRACTION = 0.15;
    static final int POSITIVE_THRESHOLD = 4;
    static final long SEED = 2026;
    static final int ALS_MAX_ITER = 15;
    static final int ALS_BLOCKS = 2;
    static final List<RankingMetric> METRICS = List.of(new RankingMetric(RankingMetric.Kind.RECALL, 20),
            new RankingMetric(RankingMetric.Kind.NDCG, 20), new RankingMetric(RankingMetric.Kind.HIT_RATE, 20));

    private RetrievalPeersBench() {
    }

    public static void main(String[] args) {
        BenchArgs a = BenchArgs.parse(args, "usage: RetrievalPeersBench --data DIR --config two_tower.pbtxt [--variant TEXT ...] "
                + "[--history-rows next|next+R@W|gap@W ...] [--mf-bpr-config mf_bpr.pbtxt [--mf-bpr-variant TEXT ...]] [--threads N] "
                + "[--als-grid default|small] [--methods popularity,als,mf-bpr,two-tower] [--split global|per-user]",
                Set.of("data", "config", "variant", "history-rows", "mf-bpr-config", "mf-bpr-variant", "threads", "als-grid", "methods", "split"));
        Path data = a.path("data");
        Path configFile = a.path("config");
        List<String> variants = new ArrayList<>(a.all("variant"));
        List<HistoryRows> historyRows = new ArrayList<>(a.all("history-rows").stream().map(HistoryRows::parse).toList());
        Path mfBprConfigFile = a.optionalPath("mf-bpr-config").orElse(null);
        List<String> mfBprVariants = new ArrayList<>(a.all("mf-bpr-variant"));
        int threads = a.integer("threads", 2);
        String alsGrid = a.string("als-grid", "default");
        List<String> methods = a.optional("methods").map(m -> List.of(m.split(","))).orElse(null);
        String splitName = a.string("split", "global");
        if (variants.isEmpty()) {
            variants.add("");
        }
        if (historyRows.isEmpty()) {
            historyRows.add(HistoryRows.NEXT);
        }
        if (mfBprVariants.isEmpty()) {
            mfBprVariants.add("");
        }
        if (methods == null) {
            methods = mfBprConfigFile == null ? List.of("popularity", "als", "two-tower") : List.of("popularity", "als", "mf-bpr", "two-tower");
        }
        if (methods.contains("mf-bpr") && mfBprConfigFile == null) {
            throw new IllegalArgumentException("--methods mf-bpr needs --mf-bpr-config");
        }
        List<ImplicitAlsPeer.Settings> grid = switch (alsGrid) {
            case "default" -> ImplicitAlsPeer.defaultGrid();
            case "small" -> List.of(new ImplicitAlsPeer.Settings(32, 0.1, 10));
            default -> throw new IllegalArgumentException("--als-grid must be default or small, got " + alsGrid);
        };
        long started = System.nanoTime();
        MovieLens100k movieLens = MovieLens100k.read(data);
        int[] catalogue = movieLens.movies().keySet().stream().mapToInt(Integer::intValue).toArray();
        RetrievalSplit split = switch (splitName) {
            case "global" -> new TimeCutSplit(movieLens.ratings(), TEST_FRACTION, VALIDATION_FRACTION);
            case "per-user" -> new PerUserTimeSplit(movieLens.ratings(), TEST_FRACTION, VALIDATION_FRACTION);
            default -> throw new IllegalArgumentException("--split must be global or per-user, got " + splitName);
        };
        HeldOutRanking validation = split.validation(catalogue, POSITIVE_THRESHOLD);
        HeldOutRanking test = split.test(catalogue, POSITIVE_THRESHOLD);
        System.out.printf(Locale.ROOT, "split: %s; validation: %d training positives, %d users, "
                        + "%d relevant pairs; test: %d training positives, %d users, %d relevant pairs; %d items%n",
                split.describe(), validation.trainingPositives().size(), validation.queryUsers().length,
                validation.relevantPairs(), test.trainingPositives().size(), test.queryUsers().length, test.relevantPairs(),
                catalogue.length);

        PipelineConfig config = ConfigParser.load(configFile);
        PipelineConfig mfBprConfig = mfBprConfigFile == null ? null : ConfigParser.load(mfBprConfigFile);
        SparkSession spark = null;
        if (methods.contains("als")) {
            long sparkStarted = System.nanoTime();
            spark = SparkSession.builder().appName("retrieval-peers").master(System.getProperty("spark.master", "local[2]"))
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
            System.out.printf(Locale.ROOT, "Spark session started in %.1f s (not counted in ALS's time)%n", (System.nanoTime() - sparkStarted) / 1e9);
        }
        List<PeerResult> results = new ArrayList<>();
        try {
            List<RetrievalPeer> peers = new ArrayList<>();
            for (String method : methods) {
                peers.add(switch (method) {
                    case "popularity" -> new PopularityPeer(METRICS, threads);
                    case "als" -> new ImplicitAlsPeer(spark, grid, ALS_MAX_ITER, ALS_BLOCKS, SEED, METRICS, threads);
                    case "two-tower" -> new TwoTowerPeer(config, configFile.toAbsolutePath().getParent(), variants, historyRows, movieLens, METRICS,
                            threads);
                    case "mf-bpr" -> new TwoTowerPeer(mfBprConfig, mfBprConfigFile.toAbsolutePath().getParent(), mfBprVariants, List.of(HistoryRows.NEXT), movieLens,
                            METRICS, threads);
                    default -> throw new IllegalArgumentException("--methods: unknown method " + method + "; known: popularity, als, mf-bpr, two-tower");
                });
            }
            for (RetrievalPeer peer : peers) {
                PeerResult r = peer.run(validation, test);
                System.out.printf(Locale.ROOT, "%s: %s; validation recall@20 %.4f; test %s; train %.1f s, tuning %.1f s%n", r.method(),
                        r.settings(), r.validation().get("recall@20"), r.test(), r.trainSeconds(), r.tuningSeconds());
                r.trials().forEach(t -> System.out.println("  tried " + t));
                results.add(r);
            }
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
        System.out.println(table(results, test.queryUsers().length));
        System.out.printf(Locale.ROOT, "%nwhole run (data, Spark start, every method's tuning, fit and scoring): %.0f s%n",
                (System.nanoTime() - started) / 1e9);
    }

    /** The results as a Markdown table, then the two-tower's Recall@20 over each other method's. */
    static String table(List<PeerResult> results, int testUsers) {
        StringBuilder out = new StringBuilder("\n| method | Recall@20 | NDCG@20 | HitRate@20 | validation Recall@20 | training s | tuning s | test users | settings |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        PeerResult twoTower = null;
        for (PeerResult r : results) {
            out.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.2f | %.1f | %d | %s |%n", r.method(),
                    r.test().get("recall@20"), r.test().get("ndcg@20"), r.test().get("hit_rate@20"), r.validation().get("recall@20"),
                    r.trainSeconds(), r.tuningSeconds(), testUsers, r.settings().replaceAll("\\s+", " ")));
            if (r.method().startsWith("RecSpark two-tower")) {
                twoTower = r;
            }
        }
        if (twoTower != null) {
            for (PeerResult r : results) {
                if (r != twoTower) {
                    out.append(String.format(Locale.ROOT, "%ntwo-tower / %s Recall@20: %.2f", r.method(),
                            twoTower.test().get("recall@20") / r.test().get("recall@20")));
                }
            }
        }
        return out.toString();
    }
}
