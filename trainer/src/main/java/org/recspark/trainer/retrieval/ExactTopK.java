package org.recspark.trainer.retrieval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.recspark.model.tensor.Blas;

/**
 * Exact top-K retrieval by inner product: every user's K best items of the whole corpus, the
 * user's excluded items (their training items) left out. Scores come from a blocked GEMM (a block
 * of users times a block of items, through {@link Blas}), and each user's best K so far are kept
 * in a bounded min-heap that a score enters only when it beats the heap's weakest, so the cost
 * beyond the GEMM is one comparison per (user, item). Threads take user blocks in turn; BLAS runs
 * single-threaded in each.
 *
 * <p>Ranking order is deterministic: higher score first, and between equal scores the lower item
 * index first. A user with fewer than K items left after exclusion gets all of them; a user whose
 * items are all excluded gets an empty ranking. Memory beyond the inputs is one score block per
 * thread ({@code userBlock x itemBlock} floats) and the K results per user, so the corpus and the
 * user embeddings must fit in this process's heap. Immutable and thread-safe.
 */
public final class ExactTopK implements TopKSearch {
    static final int DEFAULT_USER_BLOCK = 256;
    static final int DEFAULT_ITEM_BLOCK = 4096;

    private final int userBlock;
    private final int itemBlock;
    private final int threads;

    /** Blocks sized for this machine's caches; {@code threads} work on user blocks at once. */
    public ExactTopK(int threads) {
        this(DEFAULT_USER_BLOCK, DEFAULT_ITEM_BLOCK, threads);
    }

    ExactTopK(int userBlock, int itemBlock, int threads) {
        if (userBlock < 1 || itemBlock < 1 || threads < 1) {
            throw new IllegalArgumentException("block sizes and threads must be >= 1, got user block " + userBlock + ", item block "
                    + itemBlock + ", threads " + threads);
        }
        this.userBlock = userBlock;
        this.itemBlock = itemBlock;
        this.threads = threads;
    }

    @Override
    public TopKResult search(float[] users, float[] items, int dim, int[][] excluded, int k) {
        checkArguments(users, items, dim, excluded, k);
        int numUsers = users.length / dim;
        int numItems = items.length / dim;
        List<float[]> itemBlocks = new ArrayList<>();
        for (int from = 0; from < numItems; from += itemBlock) {
            itemBlocks.add(Arrays.copyOfRange(items, from * dim, Math.min(numItems, from + itemBlock) * dim));
        }
        int[][] topItems = new int[numUsers][];
        float[][] topScores = new float[numUsers][];
        int blocks = (numUsers + userBlock - 1) / userBlock;
        AtomicInteger nextBlock = new AtomicInteger();
        Runnable worker = () -> {
            float[] scores = new float[userBlock * Math.min(itemBlock, Math.max(1, numItems))];
            for (int b = nextBlock.getAndIncrement(); b < blocks; b = nextBlock.getAndIncrement()) {
                searchBlock(b * userBlock, Math.min(numUsers, (b + 1) * userBlock), users, dim, numItems, itemBlocks, excluded, k,
                        scores, topItems, topScores);
            }
        };
        ParallelWorkers.run(worker, Math.min(threads, Math.max(1, blocks)), "exact-top-k");
        return new TopKResult(topItems, topScores);
    }

    /** The {@link TopKSearch#search} arguments' shapes, shared by every implementation. */
    static void checkArguments(float[] users, float[] items, int dim, int[][] excluded, int k) {
        if (dim < 1 || users.length % dim != 0 || items.length % dim != 0) {
            throw new IllegalArgumentException("embeddings of " + users.length + " and " + items.length
                    + " floats are not whole rows of dim " + dim);
        }
        if (k < 1) {
            throw new IllegalArgumentException("K must be >= 1, got " + k);
        }
        if (excluded.length != users.length / dim) {
            throw new IllegalArgumentException(excluded.length + " exclusion lists for " + users.length / dim + " users");
        }
    }

    private void searchBlock(int fromUser, int toUser, float[] users, int dim, int numItems, List<float[]> itemBlocks,
                             int[][] excluded, int k, float[] scores, int[][] topItems, float[][] topScores) {
        int m = toUser - fromUser;
        int capacity = Math.min(k, numItems);
        TopKHeap[] heaps = new TopKHeap[m];
        int[][] skip = new int[m][];
        int[] skipPos = new int[m];
        for (int u = 0; u < m; u++) {
            heaps[u] = new TopKHeap(capacity);
            skip[u] = excluded[fromUser + u] == null ? new int[0] : excluded[fromUser + u].clone();
            Arrays.sort(skip[u]);
        }
        float[] userRows = Arrays.copyOfRange(users, fromUser * dim, toUser * dim);
        for (int blockIndex = 0; blockIndex < itemBlocks.size(); blockIndex++) {
            float[] block = itemBlocks.get(blockIndex);
            int n = block.length / dim;
            int base = blockIndex * itemBlock;
            Blas.gemm(false, true, m, n, dim, 1f, userRows, block, 0f, scores);
            for (int u = 0; u < m; u++) {
                int[] ex = skip[u];
                int p = skipPos[u];
                while (p < ex.length && ex[p] < base) {
                    p++;
                }
                int nextExcluded = p < ex.length ? ex[p] : Integer.MAX_VALUE;
                TopKHeap heap = heaps[u];
                int row = u * n;
                for (int j = 0; j < n; j++) {
                    int item = base + j;
                    if (item == nextExcluded) {
                        while (p < ex.length && ex[p] == item) {
                            p++;
                        }
                        nextExcluded = p < ex.length ? ex[p] : Integer.MAX_VALUE;
                        continue;
                    }
                    float s = scores[row + j];
                    if (s != s) {
                        throw new IllegalArgumentException("the score of user " + (fromUser + u) + " and item " + item
                                + " is NaN: the embeddings hold NaN or infinite values");
                    }
                    heap.offer(s, item);
                }
                skipPos[u] = p;
            }
        }
        for (int u = 0; u < m; u++) {
            topItems[fromUser + u] = new int[heaps[u].size()];
            topScores[fromUser + u] = new float[heaps[u].size()];
            heaps[u].drainBestFirst(topItems[fromUser + u], topScores[fromUser + u]);
        }
    }
}
