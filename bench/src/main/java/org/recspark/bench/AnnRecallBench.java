package org.recspark.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.recspark.trainer.retrieval.AnnParameters;
import org.recspark.trainer.retrieval.EmbeddingSimilarity;
import org.recspark.trainer.retrieval.ExactTopK;
import org.recspark.trainer.retrieval.ItemGraphIndex;
import org.recspark.trainer.retrieval.TopKResult;

/**
 * The graph index's recall/speed trade-off: for each build setting (degree, build beam width, build
 * threads) the graph is built once over the items, then searched for every user with each search
 * list (overquery x K), and each search's recall@K against the exact top K ({@link ExactTopK}) and
 * its wall and CPU time are printed as a Markdown row (and one JSON line). The embeddings are random
 * Gaussians ({@code --items}, {@code --users}, {@code --dim}: maximum inner product search) or a
 * model's, from export-embeddings' output ({@code --embeddings DIR}: DIR/users and DIR/items, cosine
 * when every item embedding has unit norm, else inner product). {@code --unit 1} normalises the random
 * rows (a cosine index without the MIPS transform's extra coordinate). No item is excluded.
 *
 * <pre>
 * bench/ann-recall [--embeddings DIR | --items 41000 --users 2000 --dim 64 [--unit 0|1]] [--k 20] [--threads 2]
 *     [--settings 16:100:1,32:100:1,32:100:2,48:200:1] [--overqueries 2,5,10,20]
 * </pre>
 */
public final class AnnRecallBench {
    private AnnRecallBench() {
    }

    private record Embeddings(String name, float[] users, float[] items, int dim, EmbeddingSimilarity similarity) {
        int numItems() {
            return items.length / dim;
        }

        int numUsers() {
            return users.length / dim;
        }
    }

    public static void main(String[] args) {
        Map<String, String> o = new LinkedHashMap<>(Map.of("items", "41000", "users", "2000", "dim", "64", "k", "20", "threads", "2",
                "settings", "16:100:1,32:100:1,32:100:2,48:200:1", "overqueries", "2,5,10,20", "embeddings", "", "unit", "0"));
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].replaceFirst("^--", "");
            if (!o.containsKey(name) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + args[i] + "; options: " + o.keySet());
            }
            o.put(name, args[i + 1]);
        }
        int k = Integer.parseInt(o.get("k"));
        int threads = Integer.parseInt(o.get("threads"));
        Embeddings e = o.get("embeddings").isEmpty()
                ? random(Integer.parseInt(o.get("users")), Integer.parseInt(o.get("items")), Integer.parseInt(o.get("dim")),
                        o.get("unit").equals("1"))
                : exported(o.get("embeddings"));
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        int[][] none = new int[e.numUsers()][0];
        long started = System.nanoTime();
        long cpuStarted = os.getProcessCpuTime();
        TopKResult exact = new ExactTopK(threads).search(e.users(), e.items(), e.dim(), none, k);
        double exactSeconds = (System.nanoTime() - started) / 1e9;
        double exactCpu = (os.getProcessCpuTime() - cpuStarted) / 1e9;
        System.out.printf(Locale.ROOT, "%s: %d users x %d items x dim %d, %s, K %d, %d search threads, %d cores, load average %.1f%n",
                e.name(), e.numUsers(), e.numItems(), e.dim(), e.similarity(), k, threads, Runtime.getRuntime().availableProcessors(),
                os.getSystemLoadAverage());
        System.out.println("| degree | beam width | build threads | build wall s | build CPU s | overquery | search list | recall@" + k
                + " vs exact | query wall s | query CPU s | CPU ms per user |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        System.out.printf(Locale.ROOT, "| exact | | | | | | all %d | 1 | %.2f | %.2f | %.3f |%n", e.numItems(), exactSeconds, exactCpu,
                1000 * exactCpu / e.numUsers());
        for (String setting : o.get("settings").split(",")) {
            String[] f = setting.split(":");
            int degree = Integer.parseInt(f[0]);
            int beamWidth = Integer.parseInt(f[1]);
            int buildThreads = f.length > 2 ? Integer.parseInt(f[2]) : 1;
            long buildStarted = System.nanoTime();
            long buildCpuStarted = os.getProcessCpuTime();
            ItemGraphIndex index = ItemGraphIndex.build(e.items(), e.dim(), e.similarity(), new AnnParameters(degree, beamWidth, 1),
                    buildThreads);
            double buildSeconds = (System.nanoTime() - buildStarted) / 1e9;
            double buildCpu = (os.getProcessCpuTime() - buildCpuStarted) / 1e9;
            for (String q : o.get("overqueries").split(",")) {
                int overquery = Integer.parseInt(q);
                long queryStarted = System.nanoTime();
                long queryCpuStarted = os.getProcessCpuTime();
                TopKResult top = index.search(e.users(), none, k, overquery, threads);
                double querySeconds = (System.nanoTime() - queryStarted) / 1e9;
                double queryCpu = (os.getProcessCpuTime() - queryCpuStarted) / 1e9;
                double recall = top.recallAgainst(exact);
                System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | %d | %d | %.4f | %.2f | %.2f | %.3f |%n", degree, beamWidth,
                        buildThreads, buildSeconds, buildCpu, overquery, Math.min(e.numItems(), overquery * k), recall, querySeconds, queryCpu,
                        1000 * queryCpu / e.numUsers());
                System.err.printf(Locale.ROOT, "{\"bench\": \"ann-recall\", \"data\": \"%s\", \"degree\": %d, \"beam_width\": %d, "
                                + "\"build_threads\": %d, \"build_seconds\": %.2f, \"build_cpu_seconds\": %.2f, \"overquery\": %d, "
                                + "\"recall_vs_exact\": %.4f, \"query_seconds\": %.2f, \"query_cpu_seconds\": %.2f, \"load_average\": %.1f}%n",
                        e.name(), degree, beamWidth, buildThreads, buildSeconds, buildCpu, overquery, recall, querySeconds, queryCpu,
                        os.getSystemLoadAverage());
            }
        }
    }

    /** @param unit whether rows are normalised (a cosine index, no MIPS transform) */
    private static Embeddings random(int users, int items, int dim, boolean unit) {
        SplittableRandom rnd = new SplittableRandom(42);
        float[] u = gaussian(rnd, users * dim);
        float[] v = gaussian(rnd, items * dim);
        if (unit) {
            normalise(u, dim);
            normalise(v, dim);
        }
        return new Embeddings(unit ? "random Gaussian, normalised" : "random Gaussian", u, v, dim,
                unit ? EmbeddingSimilarity.COSINE : EmbeddingSimilarity.INNER_PRODUCT);
    }

    private static void normalise(float[] rows, int dim) {
        for (int r = 0; r < rows.length / dim; r++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                norm += rows[r * dim + j] * rows[r * dim + j];
            }
            for (int j = 0; j < dim; j++) {
                rows[r * dim + j] /= (float) Math.sqrt(norm);
            }
        }
    }

    /** export-embeddings' output: DIR/users and DIR/items, rows of (id, embedding). */
    private static Embeddings exported(String dir) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("ann-recall").config("spark.ui.enabled", "false")
                .getOrCreate();
        try {
            float[] users = vectors(spark.read().parquet(dir + "/users").collectAsList());
            float[] items = vectors(spark.read().parquet(dir + "/items").collectAsList());
            Row first = spark.read().parquet(dir + "/items").first();
            int dim = first.getList(first.fieldIndex("embedding")).size();
            boolean unit = true;
            for (int i = 0; i < items.length / dim; i++) {
                double norm = 0;
                for (int j = 0; j < dim; j++) {
                    norm += items[i * dim + j] * items[i * dim + j];
                }
                unit &= Math.abs(Math.sqrt(norm) - 1) <= 1e-3;
            }
            return new Embeddings(dir, users, items, dim, unit ? EmbeddingSimilarity.COSINE : EmbeddingSimilarity.INNER_PRODUCT);
        } finally {
            spark.stop();
        }
    }

    private static float[] vectors(List<Row> rows) {
        List<Float> all = new ArrayList<>();
        for (Row r : rows) {
            all.addAll(r.<Float>getList(r.fieldIndex("embedding")));
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) rnd.nextGaussian();
        }
        return out;
    }
}
