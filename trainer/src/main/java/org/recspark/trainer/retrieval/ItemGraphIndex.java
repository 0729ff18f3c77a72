package org.recspark.trainer.retrieval;

import io.github.jbellis.jvector.disk.ByteBufferReader;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A jvector graph index (a single-layer HNSW/Vamana-style proximity graph) over an item corpus's
 * embeddings, built once and searched for many users, each user's K best items by inner product.
 *
 * <p>Similarity: {@link EmbeddingSimilarity#COSINE} embeddings are unit vectors, indexed as they are
 * under jvector's dot product. {@link EmbeddingSimilarity#INNER_PRODUCT} ones are not, and a
 * proximity graph needs a metric, so each item gets one more coordinate, sqrt(max norm^2 - its
 * norm^2), and each query a 0 there: the Euclidean nearest items are then exactly those of largest
 * inner product (Bachrach et al., "Speeding up the Xbox recommender system using a Euclidean
 * transformation for inner-product spaces", RecSys 2014).
 *
 * <p>Search: a user's search list holds overquery x K candidates (capped at the corpus); its
 * excluded items are filtered inside the graph search (walked through, never collected), so the
 * list is filled with items the user may get. The candidates are scored by the exact inner product
 * of the original embeddings and the best K kept, higher score first and between equal scores the
 * lower item index, as {@link ExactTopK} ranks. A user with no more items left than the search
 * list is ranked exactly over them, so a user with fewer than K items left gets all of them.
 *
 * <p>Determinism: by default nodes are inserted one at a time in item order (jvector's builder has no
 * random choice), so the same embeddings and parameters give the same graph and the same rankings,
 * whatever the search threads. jvector's multithreaded build inserts nodes concurrently, each
 * insertion searching a graph the others are changing, so which neighbours a node gets depends on the
 * threads' timing: with {@code buildThreads > 1} the build is faster but two builds differ slightly
 * (a saved index, {@link SavedItemIndex}, pins one). Immutable after the build and thread-safe (each
 * search thread has its own searcher).
 */
public final class ItemGraphIndex {
    private static final Logger LOG = LoggerFactory.getLogger(ItemGraphIndex.class);
    private static final VectorTypeSupport VECTORS = VectorizationProvider.getInstance().getVectorTypeSupport();
    /** jvector's usual settings: a neighbour list may grow 20% past the degree before it is pruned, and the pruning's diversity factor (Vamana's alpha). */
    private static final float NEIGHBOR_OVERFLOW = 1.2f;
    private static final float ALPHA = 1.2f;
    /** How far from 1 a COSINE item's norm may be (float rounding of the model's normalisation). */
    private static final double UNIT_NORM_TOLERANCE = 1e-3;
    private static final int USER_BLOCK = 64;

    private final float[] items;
    private final int dim;
    private final EmbeddingSimilarity similarity;
    private final RandomAccessVectorValues indexed;
    private final VectorSimilarityFunction function;
    private final AnnParameters parameters;
    private final OnHeapGraphIndex graph;

    private ItemGraphIndex(float[] items, int dim, EmbeddingSimilarity similarity, RandomAccessVectorValues indexed,
                           VectorSimilarityFunction function, AnnParameters parameters, OnHeapGraphIndex graph) {
        this.items = items;
        this.dim = dim;
        this.similarity = similarity;
        this.indexed = indexed;
        this.function = function;
        this.parameters = parameters;
        this.graph = graph;
    }

    /** A reproducible, single-threaded build ({@link #build(float[], int, EmbeddingSimilarity, AnnParameters, int)} with 1 thread). */
    public static ItemGraphIndex build(float[] items, int dim, EmbeddingSimilarity similarity, AnnParameters parameters) {
        return build(items, dim, similarity, parameters, 1);
    }

    /**
     * @param items        row-major, {@code dim} floats per item, at least one item; kept (not copied) to
     *                     score candidates: do not modify
     * @param parameters   the graph's degree and build beam width (the overquery is the search's)
     * @param buildThreads 1: nodes inserted in item order, the same graph every time; more: jvector's
     *                     concurrent insertion on that many threads, faster but not reproducible
     */
    public static ItemGraphIndex build(float[] items, int dim, EmbeddingSimilarity similarity, AnnParameters parameters, int buildThreads) {
        if (buildThreads < 1) {
            throw new IllegalArgumentException("build threads must be >= 1, got " + buildThreads);
        }
        long started = System.nanoTime();
        ItemGraphIndex index;
        if (buildThreads == 1) {
            index = withGraph(items, dim, similarity, parameters, null, (builder, indexed) -> {
                for (int i = 0; i < indexed.size(); i++) {
                    builder.addGraphNode(i, indexed);
                }
                builder.cleanup();
            });
        } else {
            ForkJoinPool pool = new ForkJoinPool(buildThreads);
            try {
                index = withGraph(items, dim, similarity, parameters, pool, (builder, indexed) -> builder.build(indexed));
            } finally {
                pool.shutdown();
            }
        }
        LOG.info("graph index over {} items (dim {}, {}, degree {}, beam width {}) built on {} thread(s) in {} s", index.numItems(), dim,
                similarity, parameters.degree(), parameters.beamWidth(), buildThreads,
                String.format(Locale.ROOT, "%.2f", (System.nanoTime() - started) / 1e9));
        return index;
    }

    /**
     * The index {@link #writeGraph} wrote for these item embeddings, similarity and parameters,
     * without building it again. The caller vouches that the graph is of exactly these embeddings
     * ({@link SavedItemIndex} checks their checksum first): jvector rescores every saved edge with
     * them, and a graph of other vectors would be searched without an error but badly.
     *
     * @param graph what {@link #writeGraph} wrote
     */
    public static ItemGraphIndex load(float[] items, int dim, EmbeddingSimilarity similarity, AnnParameters parameters, byte[] graph) {
        ItemGraphIndex index = withGraph(items, dim, similarity, parameters, null, (builder, indexed) -> {
            try (ByteBufferReader reader = new ByteBufferReader(ByteBuffer.wrap(graph))) {
                builder.load(reader);
            } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
                throw new IllegalArgumentException("the saved graph is malformed: " + e, e);
            }
        });
        if (index.graph.size() != index.numItems()) {
            throw new IllegalArgumentException("the saved graph has " + index.graph.size() + " nodes for " + index.numItems() + " items");
        }
        return index;
    }

    /** What the graph is made from, in jvector's format: node count, entry node, degree, then each node's neighbours. */
    public void writeGraph(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        graph.save(data);
        data.flush();
    }

    public AnnParameters parameters() {
        return parameters;
    }

    public EmbeddingSimilarity similarity() {
        return similarity;
    }

    /** Fills a builder's graph (adding the nodes or loading them). */
    private interface GraphFiller {
        void fill(GraphIndexBuilder builder, RandomAccessVectorValues indexed) throws IOException;
    }

    /** @param pool the threads of jvector's concurrent build, or null for a builder filled on the calling thread */
    private static ItemGraphIndex withGraph(float[] items, int dim, EmbeddingSimilarity similarity, AnnParameters parameters,
                                            ForkJoinPool pool, GraphFiller filler) {
        if (dim < 1 || items.length % dim != 0 || items.length == 0) {
            throw new IllegalArgumentException("item embeddings of " + items.length + " floats are not one or more whole rows of dim " + dim);
        }
        List<VectorFloat<?>> vectors = similarity == EmbeddingSimilarity.COSINE ? unitVectors(items, dim) : augmented(items, dim);
        RandomAccessVectorValues indexed = new ListRandomAccessVectorValues(vectors, vectors.get(0).length());
        VectorSimilarityFunction function = similarity == EmbeddingSimilarity.COSINE ? VectorSimilarityFunction.DOT_PRODUCT
                : VectorSimilarityFunction.EUCLIDEAN;
        OnHeapGraphIndex graph;
        try (GraphIndexBuilder builder = pool == null
                ? new GraphIndexBuilder(indexed, function, parameters.degree(), parameters.beamWidth(), NEIGHBOR_OVERFLOW, ALPHA)
                : new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(indexed, function), indexed.dimension(),
                        parameters.degree(), parameters.beamWidth(), NEIGHBOR_OVERFLOW, ALPHA, pool, pool)) {
            filler.fill(builder, indexed);
            graph = builder.getGraph();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fill or release the graph builder", e);
        }
        return new ItemGraphIndex(items, dim, similarity, indexed, function, parameters, graph);
    }

    public int numItems() {
        return items.length / dim;
    }

    public int dim() {
        return dim;
    }

    /**
     * Every user's approximate K best items with their exact inner products.
     *
     * @param users    row-major, {@link #dim} floats per user
     * @param excluded  per user, the item indices to leave out of its ranking (any order; may repeat)
     * @param overquery a user's search list in multiples of K, >= 1 (the build's {@link AnnParameters#overquery} is not used)
     * @param threads   the threads searching user blocks at once
     */
    public TopKResult search(float[] users, int[][] excluded, int k, int overquery, int threads) {
        ExactTopK.checkArguments(users, items, dim, excluded, k);
        if (overquery < 1) {
            throw new IllegalArgumentException("overquery must be >= 1, got " + overquery);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        int numUsers = users.length / dim;
        int[][] topItems = new int[numUsers][];
        float[][] topScores = new float[numUsers][];
        int blocks = (numUsers + USER_BLOCK - 1) / USER_BLOCK;
        AtomicInteger nextBlock = new AtomicInteger();
        Runnable worker = () -> {
            try (GraphSearcher searcher = new GraphSearcher(graph)) {
                for (int b = nextBlock.getAndIncrement(); b < blocks; b = nextBlock.getAndIncrement()) {
                    for (int u = b * USER_BLOCK; u < Math.min(numUsers, (b + 1) * USER_BLOCK); u++) {
                        searchUser(searcher, users, u, excluded[u], k, overquery, topItems, topScores);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot release a graph searcher", e);
            }
        };
        ParallelWorkers.run(worker, Math.min(threads, Math.max(1, blocks)), "graph-top-k");
        return new TopKResult(topItems, topScores);
    }

    private void searchUser(GraphSearcher searcher, float[] users, int u, int[] excludedItems, int k, int overquery, int[][] topItems,
                            float[][] topScores) {
        int numItems = numItems();
        int[] skip = excludedItems == null ? new int[0]
                : Arrays.stream(excludedItems).filter(i -> i >= 0 && i < numItems).sorted().distinct().toArray();
        int left = numItems - skip.length;
        int listSize = (int) Math.min(numItems, (long) overquery * k);
        TopKHeap heap = new TopKHeap(Math.min(k, left));
        if (left <= listSize) {
            for (int item = 0, p = 0; item < numItems; item++) {
                if (p < skip.length && skip[p] == item) {
                    p++;
                } else {
                    heap.offer(score(users, u, item), item);
                }
            }
        } else {
            Bits accept = skip.length == 0 ? Bits.ALL : item -> Arrays.binarySearch(skip, item) < 0;
            SearchResult found = searcher.search(SearchScoreProvider.exact(query(users, u), function, indexed), listSize, accept);
            for (SearchResult.NodeScore candidate : found.getNodes()) {
                heap.offer(score(users, u, candidate.node), candidate.node);
            }
        }
        topItems[u] = new int[heap.size()];
        topScores[u] = new float[heap.size()];
        heap.drainBestFirst(topItems[u], topScores[u]);
    }

    private float score(float[] users, int u, int item) {
        float s = 0;
        for (int j = 0; j < dim; j++) {
            s += users[u * dim + j] * items[item * dim + j];
        }
        if (s != s) {
            throw new IllegalArgumentException("the score of user " + u + " and item " + item
                    + " is NaN: the embeddings hold NaN or infinite values");
        }
        return s;
    }

    private VectorFloat<?> query(float[] users, int u) {
        float[] q = new float[similarity == EmbeddingSimilarity.COSINE ? dim : dim + 1];
        System.arraycopy(users, u * dim, q, 0, dim);
        return VECTORS.createFloatVector(q);
    }

    private static List<VectorFloat<?>> unitVectors(float[] items, int dim) {
        List<VectorFloat<?>> out = new ArrayList<>(items.length / dim);
        for (int i = 0; i < items.length / dim; i++) {
            double norm = Math.sqrt(squaredNorm(items, i, dim));
            if (!(Math.abs(norm - 1) <= UNIT_NORM_TOLERANCE)) {
                throw new IllegalArgumentException("cosine similarity needs unit item embeddings, but item " + i + " has norm " + norm
                        + " (is the model's normalize off? then its similarity is the inner product)");
            }
            out.add(VECTORS.createFloatVector(Arrays.copyOfRange(items, i * dim, (i + 1) * dim)));
        }
        return out;
    }

    private static List<VectorFloat<?>> augmented(float[] items, int dim) {
        int n = items.length / dim;
        double[] norms = new double[n];
        double max = 0;
        for (int i = 0; i < n; i++) {
            norms[i] = squaredNorm(items, i, dim);
            if (!Double.isFinite(norms[i])) {
                throw new IllegalArgumentException("item " + i + "'s embedding holds NaN or infinite values");
            }
            max = Math.max(max, norms[i]);
        }
        List<VectorFloat<?>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] v = Arrays.copyOf(Arrays.copyOfRange(items, i * dim, (i + 1) * dim), dim + 1);
            v[dim] = (float) Math.sqrt(Math.max(0, max - norms[i]));
            out.add(VECTORS.createFloatVector(v));
        }
        return out;
    }

    private static double squaredNorm(float[] v, int row, int dim) {
        double s = 0;
        for (int j = 0; j < dim; j++) {
            double x = v[row * dim + j];
            s += x * x;
        }
        return s;
    }
}
