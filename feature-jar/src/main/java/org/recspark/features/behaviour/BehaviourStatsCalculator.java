package org.recspark.features.behaviour;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The online form of the behaviour statistics: computed directly from the raw recent events a
 * service holds for a user and an item, with the same definitions as the offline replay
 * (events strictly before the request time, window [t - w, t)). Produces the fields by name, ready
 * to add to the user and item records given to the feature generator.
 */
public final class BehaviourStatsCalculator {
    private final BehaviourStatsLayout layout;

    public BehaviourStatsCalculator(BehaviourStatsLayout layout) {
        this.layout = layout;
    }

    /** User-side fields (counts, user x category counts for {@code itemCategory}, sequences) at time t. */
    public void userFields(List<BehaviourEvent> userEvents, long t, String itemCategory, Map<String, Object> out) {
        List<String> names = layout.userFields();
        int i = 0;
        long[] windows = layout.windows();
        List<String> types = layout.config().getEventTypesList();
        if (layout.config().getUserCounts()) {
            for (String type : types) {
                for (long w : windows) {
                    out.put(names.get(i++), count(userEvents, type, t, w, null));
                }
            }
        }
        if (layout.config().getUserCategoryCounts()) {
            for (String type : types) {
                for (long w : windows) {
                    out.put(names.get(i++), itemCategory == null ? 0L : count(userEvents, type, t, w, itemCategory));
                }
            }
        }
        if (layout.hasSequences()) {
            List<BehaviourEvent> before = new ArrayList<>();
            for (BehaviourEvent e : userEvents) {
                if (e.timestamp() < t && layout.entersSequence(layout.typeIndex(e.type()))) {
                    before.add(e);
                }
            }
            List<BehaviourEvent> ordered = new ArrayList<>(before);
            ordered.sort(BehaviourEvent.REPLAY_ORDER);
            StringBuilder items = new StringBuilder();
            StringBuilder categories = new StringBuilder();
            List<String> seen = new ArrayList<>();
            int n = 0;
            for (int k = ordered.size() - 1; k >= 0 && n < layout.config().getSequenceLength(); k--) {
                BehaviourEvent e = ordered.get(k);
                if (layout.config().getDedupSequence()) {
                    if (seen.contains(e.item())) {
                        continue;
                    }
                    seen.add(e.item());
                }
                items.append(n > 0 ? "|" : "").append(e.item());
                categories.append(n > 0 ? "|" : "").append(e.category() == null ? "" : e.category());
                n++;
            }
            out.put(BehaviourStatsLayout.SEQ_ITEMS, items.toString());
            out.put(BehaviourStatsLayout.SEQ_CATEGORIES, categories.toString());
        }
    }

    /** Item-side count fields at time t. */
    public void itemFields(List<BehaviourEvent> itemEvents, long t, Map<String, Object> out) {
        List<String> names = layout.itemFields();
        int i = 0;
        for (String type : layout.config().getEventTypesList()) {
            for (long w : layout.windows()) {
                out.put(names.get(i++), count(itemEvents, type, t, w, null));
            }
        }
    }

    private static long count(List<BehaviourEvent> events, String type, long t, long window, String category) {
        long n = 0;
        for (BehaviourEvent e : events) {
            if (e.timestamp() < t && e.timestamp() >= t - window && e.type().equals(type)
                    && (category == null || category.equals(e.category()))) {
                n++;
            }
        }
        return n;
    }
}
