package org.recspark.features.behaviour;

import java.util.Comparator;

/**
 * One event of a behaviour log, as an online service holds it for a user or an item.
 *
 * @param timestamp epoch seconds
 * @param category  the item's category; may be null
 */
public record BehaviourEvent(String item, String type, long timestamp, String category) {

    /**
     * The replay order, offline and online alike: by time, and within one second by item then type,
     * so that "most recent" is the same everywhere even for events logged in the same second.
     */
    public static final Comparator<BehaviourEvent> REPLAY_ORDER = Comparator.comparingLong(BehaviourEvent::timestamp)
            .thenComparing(BehaviourEvent::item).thenComparing(BehaviourEvent::type);
}
