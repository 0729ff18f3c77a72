package org.recspark.bench.retrieval;

import java.util.Random;

/**
 * How the two-tower's training rows pair a liked item with the user's history of likes. "next" is
 * next-item training: one row per positive, its history the likes just before it. The test task is
 * a horizon, not the next item (each user's next 20% of ratings), so, as PinnerFormer's dense
 * all-action loss (Pancha et al. 2022) trains a user embedding on actions up to a window after it,
 * "next+R@W" adds R rows per positive whose history is cut g likes earlier, g drawn uniformly in
 * [1, min(W, likes before it)] (none for a user's first like), and "gap@W" gives each positive one
 * row with g drawn in [0, min(W, likes before it)]. Query users are always embedded from their
 * latest likes.
 *
 * @param keepNext  whether every positive has its next-item row (gap 0)
 * @param gapRows   rows per positive with a drawn gap
 * @param window    the largest gap, in likes
 */
public record HistoryRows(boolean keepNext, int gapRows, int window) {
    public static final HistoryRows NEXT = new HistoryRows(true, 0, 0);

    public HistoryRows {
        if (gapRows < 0 || window < 0 || (gapRows > 0) != (window > 0) || (!keepNext && gapRows != 1)) {
            throw new IllegalArgumentException("history rows: next, next+R@W or gap@W with R, W >= 1; got keepNext " + keepNext
                    + ", " + gapRows + " rows, window " + window);
        }
    }

    /** Parses "next", "next+R@W" or "gap@W". */
    public static HistoryRows parse(String text) {
        String t = text.strip();
        try {
            if (t.equals("next")) {
                return NEXT;
            }
            if (t.startsWith("next+")) {
                String[] rw = t.substring(5).split("@");
                return new HistoryRows(true, Integer.parseInt(rw[0]), Integer.parseInt(rw[1]));
            }
            if (t.startsWith("gap@")) {
                return new HistoryRows(false, 1, Integer.parseInt(t.substring(4)));
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--history-rows: expected next, next+R@W or gap@W, got " + text, e);
        }
        throw new IllegalArgumentException("--history-rows: expected next, next+R@W or gap@W, got " + text);
    }

    /**
     * The history gaps of one positive's rows, in likes: how many of the {@code available} likes
     * before it each row's history leaves out.
     */
    public int[] gaps(int available, Random random) {
        int cap = Math.min(window, available);
        if (keepNext) {
            int n = cap == 0 ? 0 : gapRows;
            int[] out = new int[1 + n];
            for (int i = 1; i <= n; i++) {
                out[i] = 1 + random.nextInt(cap);
            }
            return out;
        }
        return new int[]{random.nextInt(cap + 1)};
    }

    @Override
    public String toString() {
        return keepNext ? (gapRows == 0 ? "next" : "next+" + gapRows + "@" + window) : "gap@" + window;
    }
}
