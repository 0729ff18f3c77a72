package org.recspark.features.behaviour;

/** Replays one item's events in time order: its counts per event type and window as of each sample. */
public final class ItemBehaviourReplayer {
    private final BehaviourStatsLayout layout;
    private final WindowedCounts counts;
    private long now = Long.MIN_VALUE;

    public ItemBehaviourReplayer(BehaviourStatsLayout layout) {
        this.layout = layout;
        this.counts = new WindowedCounts(layout.windows(), Math.max(1, layout.countedTypes()));
    }

    public void onEvent(String type, long timestamp) {
        requireInOrder(timestamp);
        int k = layout.typeIndex(type);
        if (k >= 0 && k < layout.countedTypes()) {
            counts.add(timestamp, k);
        }
    }

    /** The item count fields ({@link BehaviourStatsLayout#itemFields()} order) as of {@code timestamp}. */
    public void countsAt(long timestamp, long[] out) {
        requireInOrder(timestamp);
        counts.advanceTo(timestamp);
        int i = 0;
        for (int k = 0; k < layout.countedTypes(); k++) {
            for (int w = 0; w < layout.windows().length; w++) {
                out[i++] = counts.count(w, k);
            }
        }
    }

    private void requireInOrder(long timestamp) {
        if (timestamp < now) {
            throw new IllegalArgumentException("replay must go forward in time: " + timestamp + " after " + now);
        }
        now = timestamp;
    }
}
