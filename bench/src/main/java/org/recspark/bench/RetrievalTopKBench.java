package org.recspark.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.recspark.evaluator.RankingMetric;
import org.recspark.trainer.retrieval.AnnParameters;
import org.recspark.trainer.retrieval.ApproximateTopK;
import org.recspark.trainer.retrieval.EmbeddingSimilarity;
import org.recspark.trainer.retrieval.ExactTopK;
import org.recspark.trainer.retrieval.ItemGraphIndex;
import org.recspark.trainer.retrieval.TopKResult;

/**
 * Full-corpus Recall@K as periodic evaluation computes it, on random embeddings of a given size:
 * every user's top K of the whole item corpus by {@link ExactTopK} (blocked GEMM and bounded heaps,
 * each user's training items excluded), then the ranking metric over random relevant items.
 * Prints one JSON line with each repeat's wall-clock seconds and their median, and the process's
 * CPU seconds per repeat: on a shared, loaded machine the wall time depends on the other load, and
 * CPU seconds divided by the threads is what the repeat takes with the cores to itself. Embedding the users and items
 * with a model's towers is not included (it is a forward pass per distinct user and item).
 *
 * <p>With {@code --ann 1} (the default) the same run then times {@link ApproximateTopK} on the same
 * embeddings and exclusions, as many repeats: the graph index's build, the search for every user,
 * and the recall@K of its rankings against the exact top K (the share of the exact (user, item)
 * pairs it finds), printed as a second JSON line. The embeddings are not normalised, so the index
 * runs as maximum inner product search.
 *
 * <pre>
 * bench/retrieval-topk [--users 30000] [--items 41000] [--dim 64] [--k 20] [--threads 2] [--repeats 3]
 *     [--excluded 27] [--relevant 5] [--ann 1] [--degree 32] [--beam-width 100] [--overquery 4]
 * </pre>
 */
public final class RetrievalTopKBench {
    private RetrievalTopKBench() {
    }

    public static void main(String[] args) {
        Map<String, Integer> o = new java.util.LinkedHashMap<>(Map.of("users", 30_000, "items", 41_000, "dim", 64, "k", 20, "threads", 2,
                "repeats", 3, "excluded", 27, "relevant", 5));
        o.putAll(Map.of("ann", 1, "degree", AnnParameters.DEFAULT_DEGREE, "beam-width", AnnParameters.DEFAULT_BEAM_WIDTH, "overquery",
                AnnParameters.DEFAULT_OVERQUERY));
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].replaceFirst("^--", "");
            if (!o.containsKey(name) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + args[i] + "; options: " + o.keySet());
            }
            o.put(name, Integer.parseInt(args[i + 1]));
        }
        int users = o.get("users");
        int items = o.get("items");
        int dim = o.get("dim");
        int k = o.get("k");
        SplittableRandom rnd = new SplittableRandom(42);
        float[] u = gaussian(rnd, users * dim);
        float[] v = gaussian(rnd, items * dim);
        int[][] excluded = new int[users][];
        int[][] relevant = new int[users][];
        for (int i = 0; i < users; i++) {
            excluded[i] = rnd.ints(o.get("excluded"), 0, items).toArray();
            relevant[i] = rnd.ints(o.get("relevant"), 0, items).toArray();
        }
        List<RankingMetric> metrics = List.of(new RankingMetric(RankingMetric.Kind.RECALL, k));
        ExactTopK search = new ExactTopK(o.get("threads"));
        List<Double> seconds = new ArrayList<>();
        List<Double> cpuSeconds = new ArrayList<>();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double recall = 0;
        TopKResult exact = null;
        for (int r = 0; r < o.get("repeats"); r++) {
            long started = System.nanoTime();
            long cpuStarted = os.getProcessCpuTime();
            exact = search.search(u, v, dim, excluded, k);
            recall = RankingMetric.compute(metrics, exact.items(), relevant).get(metrics.get(0).name());
            seconds.add((System.nanoTime() - started) / 1e9);
            cpuSeconds.add((os.getProcessCpuTime() - cpuStarted) / 1e9);
        }
        double[] sorted = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.println(String.format(Locale.ROOT,
                "{\"bench\": \"retrieval-topk\", \"users\": %d, \"items\": %d, \"dim\": %d, \"k\": %d, \"threads\": %d, "
                        + "\"excluded_per_user\": %d, \"seconds\": %s, \"median_seconds\": %.2f, \"cpu_seconds\": %s, \"recall\": %.5f, "
                        + "\"cores\": %d, \"load_average\": %.1f}",
                users, items, dim, k, o.get("threads"), o.get("excluded"), format(seconds), sorted[sorted.length / 2], format(cpuSeconds),
                recall, Runtime.getRuntime().availableProcessors(), os.getSystemLoadAverage()));
        if (o.get("ann") == 1) {
            approximate(o, u, v, excluded, relevant, metrics, exact, os);
        }
    }

    /** The graph index's build and search, median of the repeats, and its recall against the exact ranking. */
    private static void approximate(Map<String, Integer> o, float[] u, float[] v, int[][] excluded, int[][] relevant,
                                    List<RankingMetric> metrics, TopKResult exact, OperatingSystemMXBean os) {
        AnnParameters parameters = new AnnParameters(o.get("degree"), o.get("beam-width"), o.get("overquery"));
        ApproximateTopK ann = new ApproximateTopK(parameters, EmbeddingSimilarity.INNER_PRODUCT, o.get("threads"));
        List<Double> build = new ArrayList<>();
        List<Double> buildCpu = new ArrayList<>();
        List<Double> query = new ArrayList<>();
        List<Double> queryCpu = new ArrayList<>();
        List<Double> recallVsExact = new ArrayList<>();
        double recall = 0;
        for (int r = 0; r < o.get("repeats"); r++) {
            long started = System.nanoTime();
            long cpuStarted = os.getProcessCpuTime();
            ItemGraphIndex index = ann.index(v, o.get("dim"));
            long built = System.nanoTime();
            long cpuBuilt = os.getProcessCpuTime();
            TopKResult top = ann.search(index, u, excluded, o.get("k"));
            build.add((built - started) / 1e9);
            buildCpu.add((cpuBuilt - cpuStarted) / 1e9);
            query.add((System.nanoTime() - built) / 1e9);
            queryCpu.add((os.getProcessCpuTime() - cpuBuilt) / 1e9);
            recallVsExact.add(top.recallAgainst(exact));
            recall = RankingMetric.compute(metrics, top.items(), relevant).get(metrics.get(0).name());
        }
        System.out.println(String.format(Locale.ROOT,
                "{\"bench\": \"retrieval-topk-ann\", \"degree\": %d, \"beam_width\": %d, \"overquery\": %d, \"build_seconds\": %s, "
                        + "\"median_build_seconds\": %.2f, \"build_cpu_seconds\": %s, \"query_seconds\": %s, \"median_query_seconds\": %.2f, "
                        + "\"query_cpu_seconds\": %s, \"recall_vs_exact\": %s, \"median_recall_vs_exact\": %.4f, \"recall\": %.5f, "
                        + "\"load_average\": %.1f}",
                parameters.degree(), parameters.beamWidth(), parameters.overquery(), format(build), Median.of(build), format(buildCpu),
                format(query), Median.of(query), format(queryCpu), Arrays.toString(recallVsExact.stream()
                        .map(x -> String.format(Locale.ROOT, "%.4f", x)).toArray()), Median.of(recallVsExact), recall,
                os.getSystemLoadAverage()));
    }

    private static String format(List<Double> values) {
        return Arrays.toString(values.stream().map(s -> String.format(Locale.ROOT, "%.2f", s)).toArray());
    }

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) rnd.nextGaussian();
        }
        return out;
    }
}
