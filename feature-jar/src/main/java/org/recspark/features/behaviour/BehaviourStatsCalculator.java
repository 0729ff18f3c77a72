package org.recspark.features.behaviour;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.recspark.config.BehaviourStatsFields;

/**
 * The online form of the behaviour statistics: computed directly from the raw recent events a
 * service holds for a user and an item, with the same definitions as the offline replay
 * (events strictly before the request time, window [t - w, t)). Produces the fields by name, ready
 * to add to the user record (once per request) and to each item record given to the feature generator.
 */
public final class BehaviourStatsCalculator {
    private final BehaviourStatsLayout layout;

    public BehaviourStatsCalculator(BehaviourStatsLayout layout) {
        this.layout = layout;
    }

    /** The {@code user.} fields (user counts, sequences) at time t, from the user's recent events. */
    public void userFields(List<BehaviourEvent> userEvents, long t, Map<String, Object> out) {
        List<String> types = layout.config().getEventTypesList();
        int i = 0;
        List<String> names = BehaviourStatsFields.userCountFields(layout.config());
        for (String type : names.isEmpty() ? List.<String>of() : types) {
            for (long w : layout.windows()) {
                out.put(names.get(i++), count(userEvents, type, t, w, null));
            }
        }
        if (layout.hasSequences()) {
            List<BehaviourEvent> ordered = new ArrayList<>();
            for (BehaviourEvent e : userEvents) {
                if (e.timestamp() < t && layout.entersSequence(layout.typeIndex(e.type()))) {
                    ordered.add(e);
                }
            }
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

    /**
     * The {@code item.} fields at time t: the item's counts from its recent events, and the user's
     * counts in the item's category (0 when the category is unknown).
     */
    public void itemFields(List<BehaviourEvent> itemEvents, List<BehaviourEvent> userEvents, long t, String itemCategory,
                           Map<String, Object> out) {
        List<String> types = layout.config().getEventTypesList();
        List<String> itemNames = BehaviourStatsFields.itemCountFields(layout.config());
        List<String> crossNames = BehaviourStatsFields.userCategoryCountFields(layout.config());
        int i = 0;
        int j = 0;
        for (String type : types) {
            for (long w : layout.windows()) {
                if (!itemNames.isEmpty()) {
                    out.put(itemNames.get(i++), count(itemEvents, type, t, w, null));
                }
                if (!crossNames.isEmpty()) {
                    out.put(crossNames.get(j++), itemCategory == null ? 0L : count(userEvents, type, t, w, itemCategory));
                }
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
