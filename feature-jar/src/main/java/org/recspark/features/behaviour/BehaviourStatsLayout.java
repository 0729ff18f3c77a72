package org.recspark.features.behaviour;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.proto.BehaviourStats;

/**
 * The names and order of the statistics a {@link BehaviourStats} config produces. User-side values
 * ({@link #userFields()}: user counts, then user x category counts) and item-side values
 * ({@link #itemFields()}) are laid out type-major: for each event type, each window.
 */
public final class BehaviourStatsLayout {
    public static final String SEQ_ITEMS = "user_seq_items";
    public static final String SEQ_CATEGORIES = "user_seq_categories";

    private final BehaviourStats config;
    private final long[] windows;
    private final Map<String, Integer> typeIndex = new HashMap<>();
    private final boolean[] inSequence;
    private final List<String> userFields = new ArrayList<>();
    private final List<String> itemFields = new ArrayList<>();

    public BehaviourStatsLayout(BehaviourStats config) {
        this.config = config;
        this.windows = config.getWindowsList().stream().mapToLong(Long::longValue).toArray();
        List<String> types = new ArrayList<>(config.getEventTypesList());
        for (String t : config.getSequenceEventTypesList()) {
            if (!types.contains(t)) {
                types.add(t);
            }
        }
        for (int k = 0; k < types.size(); k++) {
            typeIndex.put(types.get(k), k);
        }
        this.inSequence = new boolean[types.size()];
        for (int k = 0; k < types.size(); k++) {
            inSequence[k] = config.getSequenceEventTypesCount() == 0
                    ? k < config.getEventTypesCount() : config.getSequenceEventTypesList().contains(types.get(k));
        }
        if (config.getUserCounts()) {
            addCounts(userFields, "user_");
        }
        if (config.getUserCategoryCounts()) {
            addCounts(userFields, "user_cat_");
        }
        if (config.getItemCounts()) {
            addCounts(itemFields, "item_");
        }
    }

    private void addCounts(List<String> out, String prefix) {
        for (String type : config.getEventTypesList()) {
            for (long w : windows) {
                out.add(prefix + type + "_" + windowLabel(w));
            }
        }
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

    public BehaviourStats config() {
        return config;
    }

    /** Count fields of the user side (user counts, then user x category counts). */
    public List<String> userFields() {
        return List.copyOf(userFields);
    }

    public List<String> itemFields() {
        return List.copyOf(itemFields);
    }

    public boolean hasSequences() {
        return config.getSequenceLength() > 0;
    }

    long[] windows() {
        return windows;
    }

    int countedTypes() {
        return config.getEventTypesCount();
    }

    /** Index of an event type: counted types first, then sequence-only ones; -1 when ignored. */
    int typeIndex(String type) {
        Integer k = typeIndex.get(type);
        return k == null ? -1 : k;
    }

    boolean entersSequence(int typeIndex) {
        return typeIndex >= 0 && inSequence[typeIndex];
    }
}
