package org.recspark.features.behaviour;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Replays one user's behaviour log in time order and answers, for each of the user's samples, the
 * user-side statistics as of the sample's time: counts per event type and window, the same counts
 * restricted to the sample item's category, and the last items and categories.
 *
 * <p>The caller feeds events in {@link BehaviourEvent#REPLAY_ORDER} merged with samples in time
 * order, a sample before any event of the same second, so only events strictly before a sample
 * are seen (no leakage). Memory is bounded:
 * per-second buckets within the longest window, per category, and the sequence length.
 */
public final class UserBehaviourReplayer {
    private final BehaviourStatsLayout layout;
    private final WindowedCounts all;
    private final Map<String, WindowedCounts> byCategory = new HashMap<>();
    private final ArrayDeque<String[]> recent = new ArrayDeque<>();
    private long ignoredEvents;
    private long now = Long.MIN_VALUE;

    public UserBehaviourReplayer(BehaviourStatsLayout layout) {
        this.layout = layout;
        this.all = new WindowedCounts(layout.windows(), Math.max(1, layout.countedTypes()));
    }

    /** Adds one event; events and samples must come in time order. */
    public void onEvent(String item, String type, long timestamp, String category) {
        requireInOrder(timestamp);
        int k = layout.typeIndex(type);
        if (k < 0) {
            ignoredEvents++;
            return;
        }
        if (k < layout.countedTypes()) {
            all.add(timestamp, k);
            if (layout.config().getUserCategoryCounts() && category != null) {
                byCategory.computeIfAbsent(category, c -> new WindowedCounts(layout.windows(), layout.countedTypes()))
                        .add(timestamp, k);
            }
        }
        if (layout.hasSequences() && layout.entersSequence(k)) {
            remember(item, category);
        }
    }

    /**
     * The user-side count fields ({@link BehaviourStatsLayout#userFields()} order) as of {@code timestamp}
     * for an item of {@code category} (may be null), written into {@code out}.
     */
    public void countsAt(long timestamp, String category, long[] out) {
        requireInOrder(timestamp);
        int i = 0;
        int types = layout.countedTypes();
        long[] windows = layout.windows();
        if (layout.config().getUserCounts()) {
            all.advanceTo(timestamp);
            for (int k = 0; k < types; k++) {
                for (int w = 0; w < windows.length; w++) {
                    out[i++] = all.count(w, k);
                }
            }
        }
        if (layout.config().getUserCategoryCounts()) {
            WindowedCounts c = category == null ? null : byCategory.get(category);
            if (c != null) {
                c.advanceTo(timestamp);
            }
            for (int k = 0; k < types; k++) {
                for (int w = 0; w < windows.length; w++) {
                    out[i++] = c == null ? 0 : c.count(w, k);
                }
            }
        }
    }

    /** The last items, most recent first, '|'-joined ("" when none). */
    public String recentItems() {
        return join(0);
    }

    /** The categories of the last items, aligned with {@link #recentItems()}. */
    public String recentCategories() {
        return join(1);
    }

    /** Events of types neither counted nor sequenced. */
    public long ignoredEvents() {
        return ignoredEvents;
    }

    private void remember(String item, String category) {
        if (layout.config().getDedupSequence()) {
            for (Iterator<String[]> it = recent.iterator(); it.hasNext(); ) {
                if (it.next()[0].equals(item)) {
                    it.remove();
                    break;
                }
            }
        }
        recent.addFirst(new String[] {item, category == null ? "" : category});
        if (recent.size() > layout.config().getSequenceLength()) {
            recent.removeLast();
        }
    }

    private String join(int field) {
        StringBuilder s = new StringBuilder(recent.size() * 8);
        boolean first = true;
        for (String[] entry : recent) {
            if (!first) {
                s.append('|');
            }
            s.append(entry[field]);
            first = false;
        }
        return s.toString();
    }

    private void requireInOrder(long timestamp) {
        if (timestamp < now) {
            throw new IllegalArgumentException("replay must go forward in time: " + timestamp + " after " + now);
        }
        now = timestamp;
    }
}
