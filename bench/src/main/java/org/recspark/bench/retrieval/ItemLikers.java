package org.recspark.bench.retrieval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.recspark.sampledata.MovieLens100k.Rating;

/**
 * Item-side behaviour columns for the two-tower's item tower, symmetric to the user's history of
 * liked items (a two-sided neighbourhood model, as FISM or item-side behaviour features): per item,
 * the users who liked it strictly before a time, most recent first, and how many likes it got in a
 * window before that time. Only likes {@link #record recorded} enter, so a task's builder fed its
 * training ratings in time order never sees a like from the held-out periods, and a training row's
 * item never lists the row's own like or any later one.
 */
final class ItemLikers {
    static final int NO_USER = Integer.MIN_VALUE;
    private final int keep;
    private final long windowSeconds;
    private final Map<Integer, List<Rating>> likesByItem = new HashMap<>();
    private long lastTime = Long.MIN_VALUE;

    /**
     * @param keep          the most likers a bag holds
     * @param windowSeconds the window of {@link #recentLikes}, ending at the asked time
     */
    ItemLikers(int keep, long windowSeconds) {
        if (keep < 1 || windowSeconds < 1) {
            throw new IllegalArgumentException("item likers: keep and window must be positive, got " + keep + ", " + windowSeconds);
        }
        this.keep = keep;
        this.windowSeconds = windowSeconds;
    }

    /** Records a like; likes must come in time order. */
    void record(Rating like) {
        if (like.timestamp() < lastTime) {
            throw new IllegalArgumentException("item likers: likes must be recorded in time order, got " + like.timestamp()
                    + " after " + lastTime);
        }
        lastTime = like.timestamp();
        likesByItem.computeIfAbsent(like.itemId(), i -> new ArrayList<>()).add(like);
    }

    /** The users who liked {@code itemId} strictly before {@code time}, most recent first, at most {@code keep}, '|'-joined. */
    String likersBefore(int itemId, long time) {
        return likersBefore(itemId, time, NO_USER);
    }

    /** As {@link #likersBefore(int, long)}, leaving {@code excludedUser}'s like out (the row's own, for a bag of every recorded like). */
    String likersBefore(int itemId, long time, int excludedUser) {
        List<Rating> likes = likesByItem.getOrDefault(itemId, List.of());
        StringBuilder bag = new StringBuilder();
        int n = 0;
        for (int i = likes.size() - 1; i >= 0 && n < keep; i--) {
            Rating like = likes.get(i);
            if (like.timestamp() >= time || like.userId() == excludedUser) {
                continue;
            }
            if (n > 0) {
                bag.append('|');
            }
            bag.append(like.userId());
            n++;
        }
        return bag.toString();
    }

    /** The likes of {@code itemId} in [time - window, time). */
    long recentLikes(int itemId, long time) {
        List<Rating> likes = likesByItem.getOrDefault(itemId, List.of());
        long count = 0;
        for (int i = likes.size() - 1; i >= 0; i--) {
            long t = likes.get(i).timestamp();
            if (t < time - windowSeconds) {
                break;
            }
            if (t < time) {
                count++;
            }
        }
        return count;
    }
}
