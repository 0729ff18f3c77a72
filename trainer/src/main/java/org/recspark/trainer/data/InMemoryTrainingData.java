package org.recspark.trainer.data;

import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.recspark.model.data.Examples;

/**
 * Training rows held in memory: each epoch visits them in a permutation drawn from (seed, epoch)
 * (the table's order when shuffling is off), and a batch is a copy of its rows.
 */
public final class InMemoryTrainingData implements TrainingData {
    private final Examples rows;
    private final long seed;
    private final boolean shuffle;

    public InMemoryTrainingData(Examples rows, long seed, boolean shuffle) {
        this.rows = rows;
        this.seed = seed;
        this.shuffle = shuffle;
    }

    @Override
    public long numRows() {
        return rows.numRows();
    }

    @Override
    public Batches epoch(int epoch, long firstBatch, int batchSize) {
        int n = rows.numRows();
        int[] order = order(n, epoch);
        return new Batches() {
            private long next = firstBatch;

            @Override
            public boolean hasNext() {
                return next * batchSize < n;
            }

            @Override
            public Examples next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int from = (int) (next * batchSize);
                int to = (int) Math.min(n, from + (long) batchSize);
                next++;
                return rows.select(Arrays.copyOfRange(order, from, to));
            }

            @Override
            public void close() {
            }
        };
    }

    /** The rows of an epoch in training order. */
    int[] order(int n, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }
}
