package org.recspark.bench.retrieval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.recspark.evaluator.RankingMetric;
import org.recspark.sampledata.MovieLens100k.Rating;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a Spark user has today: Spark MLlib's ALS with implicit preferences (Hu, Koren and Volinsky
 * 2008) on the training positives, each a (user, item, 1.0) interaction, so an observed pair has
 * confidence 1 + alpha and every other pair preference 0 with confidence 1. The grid over rank,
 * regParam and alpha is searched on the validation task; the best by the first metric is refit on
 * the test task's training ratings. A user or item without factors (nothing in training) gets a
 * zero vector, i.e. score 0 for every pair.
 */
public final class ImplicitAlsPeer implements RetrievalPeer {
    private static final Logger LOG = LoggerFactory.getLogger(ImplicitAlsPeer.class);

    /** One grid point. */
    public record Settings(int rank, double regParam, double alpha) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "rank %d, regParam %s, alpha %s", rank, regParam, alpha);
        }
    }

    private final SparkSession spark;
    private final List<Settings> grid;
    private final int maxIter;
    private final int blocks;
    private final long seed;
    private final List<RankingMetric> metrics;
    private final int threads;

    /** @param blocks ALS's user and item blocks (its parallelism; Spark's default of 10 only adds task overhead in local[2]) */
    public ImplicitAlsPeer(SparkSession spark, List<Settings> grid, int maxIter, int blocks, long seed, List<RankingMetric> metrics,
                           int threads) {
        if (grid.isEmpty()) {
            throw new IllegalArgumentException("an empty ALS grid");
        }
        this.spark = spark;
        this.grid = List.copyOf(grid);
        this.maxIter = maxIter;
        this.blocks = blocks;
        this.seed = seed;
        this.metrics = List.copyOf(metrics);
        this.threads = threads;
    }

    /**
     * The grid of bench/RESULTS.md: rank {8, 16, 32} x regParam {0.01, 0.1, 1} x alpha {1, 10, 40};
     * beyond its upper edges, where the per-user split chose its corner (rank 32, regParam 1, alpha
     * 40): rank {32, 64, 128} x regParam {1, 3, 10} x alpha {40, 80, 160}; and around that block's
     * choice (rank 128, regParam 1, alpha 40, validation rising with rank): rank {128, 256} x
     * regParam {0.3, 1, 3} x alpha {20, 40}. 63 settings.
     */
    public static List<Settings> defaultGrid() {
        Set<Settings> grid = new LinkedHashSet<>();
        addGrid(grid, new int[]{8, 16, 32}, new double[]{0.01, 0.1, 1.0}, new double[]{1, 10, 40});
        addGrid(grid, new int[]{32, 64, 128}, new double[]{1.0, 3.0, 10.0}, new double[]{40, 80, 160});
        addGrid(grid, new int[]{128, 256}, new double[]{0.3, 1.0, 3.0}, new double[]{20, 40});
        return List.copyOf(grid);
    }

    private static void addGrid(Set<Settings> grid, int[] ranks, double[] regParams, double[] alphas) {
        for (int rank : ranks) {
            for (double reg : regParams) {
                for (double alpha : alphas) {
                    grid.add(new Settings(rank, reg, alpha));
                }
            }
        }
    }

    @Override
    public String name() {
        return "Spark MLlib ALS (implicit)";
    }

    @Override
    public PeerResult run(HeldOutRanking validation, HeldOutRanking test) {
        long tuningStarted = System.nanoTime();
        Dataset<Row> validationInput = interactions(validation).cache();
        Settings best = null;
        Map<String, Double> bestMetrics = null;
        String first = metrics.get(0).name();
        List<String> trials = new ArrayList<>();
        for (Settings s : grid) {
            Fit f = fit(validationInput, validation, s);
            Map<String, Double> m = validation.evaluate(f.embeddings(), metrics, threads);
            trials.add(String.format(Locale.ROOT, "%s: validation %s %.4f (fit %.1f s)", s, first, m.get(first), f.seconds()));
            LOG.info("ALS {}", trials.get(trials.size() - 1));
            if (best == null || m.get(first) > bestMetrics.get(first)) {
                best = s;
                bestMetrics = m;
            }
        }
        validationInput.unpersist();
        double tuningSeconds = (System.nanoTime() - tuningStarted) / 1e9;
        Dataset<Row> testInput = interactions(test).cache();
        testInput.count();
        Fit fit = fit(testInput, test, best);
        testInput.unpersist();
        return new PeerResult(name(), best + ", maxIter " + maxIter + ", " + blocks + " blocks", bestMetrics, test.evaluate(fit.embeddings(), metrics, threads),
                fit.seconds(), tuningSeconds, trials);
    }

    private record Fit(Embeddings embeddings, double seconds) {}

    /** Fits ALS and gathers its factors in the task's user and item order; the time covers both. */
    private Fit fit(Dataset<Row> input, HeldOutRanking task, Settings s) {
        long started = System.nanoTime();
        ALSModel model = new ALS().setImplicitPrefs(true).setRank(s.rank()).setRegParam(s.regParam()).setAlpha(s.alpha())
                .setMaxIter(maxIter).setSeed(seed).setNumUserBlocks(blocks).setNumItemBlocks(blocks).setUserCol("user").setItemCol("item").setRatingCol("rating").fit(input);
        Map<Integer, float[]> users = factors(model.userFactors());
        Map<Integer, float[]> items = factors(model.itemFactors());
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Fit(new Embeddings(rows(task.queryUsers(), users, s.rank()), rows(task.itemIds(), items, s.rank()), s.rank()), seconds);
    }

    private Dataset<Row> interactions(HeldOutRanking task) {
        List<Row> rows = new ArrayList<>();
        for (Rating r : task.trainingPositives()) {
            rows.add(RowFactory.create(r.userId(), r.itemId(), 1f));
        }
        StructType schema = new StructType().add("user", DataTypes.IntegerType, false).add("item", DataTypes.IntegerType, false)
                .add("rating", DataTypes.FloatType, false);
        return spark.createDataFrame(rows, schema);
    }

    private static Map<Integer, float[]> factors(Dataset<Row> factors) {
        Map<Integer, float[]> out = new HashMap<>();
        for (Row row : factors.collectAsList()) {
            List<Float> f = row.getList(1);
            float[] v = new float[f.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = f.get(i);
            }
            out.put(row.getInt(0), v);
        }
        return out;
    }

    private static float[] rows(int[] ids, Map<Integer, float[]> factors, int rank) {
        float[] out = new float[ids.length * rank];
        for (int i = 0; i < ids.length; i++) {
            float[] v = factors.get(ids[i]);
            if (v != null) {
                System.arraycopy(v, 0, out, i * rank, rank);
            }
        }
        return out;
    }
}
