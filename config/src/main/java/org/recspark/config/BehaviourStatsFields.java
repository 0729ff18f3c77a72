package org.recspark.config;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.BehaviourStats;

/**
 * Names of the sample fields that {@code feature_config.behaviour_stats} produces, each group
 * type-major (every window of the first event type, then the next type). User counts and the
 * sequences depend on the user and time only: user fields. Item counts and user x category counts
 * (the user's events in the item's category) differ per item: item fields.
 */
public final class BehaviourStatsFields {
    public static final String SEQ_ITEMS = "user_seq_items";
    public static final String SEQ_CATEGORIES = "user_seq_categories";

    private BehaviourStatsFields() {}

    public static List<String> userCountFields(BehaviourStats stats) {
        return stats.getUserCounts() ? counts(stats, "user_") : List.of();
    }

    public static List<String> userCategoryCountFields(BehaviourStats stats) {
        return stats.getUserCategoryCounts() ? counts(stats, "user_cat_") : List.of();
    }

    public static List<String> itemCountFields(BehaviourStats stats) {
        return stats.getItemCounts() ? counts(stats, "item_") : List.of();
    }

    /** Fields read as {@code user.<name>}: user counts, then the sequences when enabled. */
    public static List<String> userFields(BehaviourStats stats) {
        List<String> names = new ArrayList<>(userCountFields(stats));
        if (stats.getSequenceLength() > 0) {
            names.add(SEQ_ITEMS);
            names.add(SEQ_CATEGORIES);
        }
        return names;
    }

    /** Fields read as {@code item.<name>}: item counts, then user x category counts. */
    public static List<String> itemFields(BehaviourStats stats) {
        List<String> names = new ArrayList<>(itemCountFields(stats));
        names.addAll(userCategoryCountFields(stats));
        return names;
    }

    /** "1d", "6h", "30m" or "45s": the largest unit that divides the window. */
    public static String windowLabel(long seconds) {
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    private static List<String> counts(BehaviourStats stats, String prefix) {
        List<String> out = new ArrayList<>();
        for (String type : stats.getEventTypesList()) {
            for (long w : stats.getWindowsList()) {
                out.add(prefix + type + "_" + windowLabel(w));
            }
        }
        return out;
    }
}
