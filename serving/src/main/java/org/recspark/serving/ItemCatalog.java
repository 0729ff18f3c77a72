package org.recspark.serving;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureValueException;
import org.recspark.features.PrecomputedItem;
import org.recspark.features.RawRecord;

/**
 * The item feature cache: every item of one table snapshot with its item-only features computed
 * once by one model's feature generator ({@link PrecomputedItem}). Immutable: a new snapshot or a
 * new model gets a new catalog, swapped in whole.
 */
public final class ItemCatalog {
    /** The catalog of a server started without an item table: items come as full records only. */
    public static final ItemCatalog EMPTY = new ItemCatalog(Map.of(), "", "", 0);

    private final Map<String, PrecomputedItem> items;
    private final String source;
    private final String stamp;
    private final long precomputedBytes;

    private ItemCatalog(Map<String, PrecomputedItem> items, String source, String stamp, long precomputedBytes) {
        this.items = items;
        this.source = source;
        this.stamp = stamp;
        this.precomputedBytes = precomputedBytes;
    }

    /**
     * Precomputes every row with {@code generator}.
     *
     * @throws IllegalArgumentException naming the item whose value the config's {@code on_bad_value: FAIL} refuses
     */
    public static ItemCatalog build(Map<String, RawRecord> rows, FeatureGenerator generator, String source, String stamp) {
        Map<String, PrecomputedItem> items = new HashMap<>(rows.size() * 2);
        long bytes = 0;
        for (Map.Entry<String, RawRecord> row : rows.entrySet()) {
            PrecomputedItem item;
            try {
                item = generator.precompute(row.getValue());
            } catch (FeatureValueException e) {
                throw new IllegalArgumentException(source + ": item '" + row.getKey() + "': " + e.getMessage(), e);
            }
            bytes += item.precomputedBytes();
            items.put(row.getKey(), item);
        }
        return new ItemCatalog(Map.copyOf(items), source, stamp, bytes);
    }

    /** The item with this canonical id, or null. */
    public PrecomputedItem get(String id) {
        return items.get(id);
    }

    public int size() {
        return items.size();
    }

    /** The snapshot's location; empty without one. */
    public String source() {
        return source;
    }

    /** The snapshot's {@link TableSnapshot#stamp()} when it was read. */
    public String stamp() {
        return stamp;
    }

    /** Bytes of the precomputed feature outputs (the raw records come on top). */
    public long precomputedBytes() {
        return precomputedBytes;
    }

    /** Every cached item, in no particular order. */
    public Collection<PrecomputedItem> items() {
        return items.values();
    }
}
