package org.recspark.features.behaviour;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.BehaviourStatsFields;
import org.recspark.config.proto.BehaviourStats;

/**
 * The order in which the replayers write a {@link BehaviourStats} config's counts: a user replay
 * gives {@link #userFields()} (user counts, then user x category counts), an item replay
 * {@link #itemFields()}; names as in {@link BehaviourStatsFields}.
 */
public final class BehaviourStatsLayout {
    public static final String SEQ_ITEMS = BehaviourStatsFields.SEQ_ITEMS;
    public static final String SEQ_CATEGORIES = BehaviourStatsFields.SEQ_CATEGORIES;

    private final BehaviourStats config;
    private final long[] windows;
    private final Map<String, Integer> typeIndex = new HashMap<>();
    private final boolean[] inSequence;
    private final List<String> userFields;
    private final List<String> itemFields;

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
        List<String> user = new ArrayList<>(BehaviourStatsFields.userCountFields(config));
        user.addAll(BehaviourStatsFields.userCategoryCountFields(config));
        this.userFields = List.copyOf(user);
        this.itemFields = BehaviourStatsFields.itemCountFields(config);
    }

    public BehaviourStats config() {
        return config;
    }

    /** Counts a user replay produces: user counts, then user x category counts. */
    public List<String> userFields() {
        return userFields;
    }

    public List<String> itemFields() {
        return itemFields;
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
