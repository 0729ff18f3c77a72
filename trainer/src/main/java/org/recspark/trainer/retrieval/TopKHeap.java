package org.recspark.trainer.retrieval;

/**
 * The K best (score, item) pairs offered so far, in a min-heap of primitives whose root is the
 * weakest kept: the lower score, and between equal scores the higher item index. Not thread-safe.
 */
final class TopKHeap {
    private final float[] scores;
    private final int[] items;
    private int size;

    TopKHeap(int capacity) {
        this.scores = new float[capacity];
        this.items = new int[capacity];
    }

    /** Keeps the pair when the heap has room or it beats the weakest kept pair. */
    void offer(float score, int item) {
        int capacity = scores.length;
        if (size < capacity) {
            int i = size++;
            scores[i] = score;
            items[i] = item;
            siftUp(i);
        } else if (capacity > 0 && weaker(scores[0], items[0], score, item)) {
            scores[0] = score;
            items[0] = item;
            siftDown(0);
        }
    }

    /** Whether (s1, i1) ranks below (s2, i2). */
    private static boolean weaker(float s1, int i1, float s2, int i2) {
        return s1 < s2 || s1 == s2 && i1 > i2;
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!weaker(scores[i], items[i], scores[parent], items[parent])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int left = 2 * i + 1;
            if (left >= size) {
                return;
            }
            int weakest = left;
            int right = left + 1;
            if (right < size && weaker(scores[right], items[right], scores[left], items[left])) {
                weakest = right;
            }
            if (!weaker(scores[weakest], items[weakest], scores[i], items[i])) {
                return;
            }
            swap(i, weakest);
            i = weakest;
        }
    }

    private void swap(int a, int b) {
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        int t = items[a];
        items[a] = items[b];
        items[b] = t;
    }

    int size() {
        return size;
    }

    /** Empties the heap into the arrays (of length {@link #size}), best first. */
    void drainBestFirst(int[] itemsOut, float[] scoresOut) {
        if (itemsOut.length != size || scoresOut.length != size) {
            throw new IllegalArgumentException("arrays of " + itemsOut.length + " and " + scoresOut.length + " for " + size + " pairs");
        }
        for (int r = size - 1; r >= 0; r--) {
            scoresOut[r] = scores[0];
            itemsOut[r] = items[0];
            size--;
            if (size > 0) {
                scores[0] = scores[size];
                items[0] = items[size];
                siftDown(0);
            }
        }
    }
}
