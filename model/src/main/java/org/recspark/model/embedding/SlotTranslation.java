package org.recspark.model.embedding;

/**
 * The slots in one table of the ids that have rows in another. A feature's main embedding table
 * and its first-order table hold rows for the same ids, so a request looks each id up once in the
 * main table and finds its first-order row through this map (an array read instead of a second
 * hash lookup). Costs one int per row of the first table; built from the tables' rows as they are
 * and stale once either gains or replaces rows ({@link EmbeddingTable#generation()}).
 */
public final class SlotTranslation {
    private final EmbeddingTable from;
    private final EmbeddingTable to;
    private final long fromGeneration;
    private final long toGeneration;
    private final int[] slots;

    private SlotTranslation(EmbeddingTable from, EmbeddingTable to) {
        this.from = from;
        this.to = to;
        this.fromGeneration = from.generation();
        this.toGeneration = to.generation();
        this.slots = new int[from.size()];
        for (int s = 0; s < slots.length; s++) {
            slots[s] = to.findSlot(from.idAt(s));
        }
    }

    /** The map from {@code from}'s slots to {@code to}'s, as the tables are now. */
    public static SlotTranslation between(EmbeddingTable from, EmbeddingTable to) {
        return new SlotTranslation(from, to);
    }

    /** Whether neither table has changed its slots since this map was built. */
    public boolean current() {
        return from.generation() == fromGeneration && to.generation() == toGeneration;
    }

    public EmbeddingTable from() {
        return from;
    }

    /**
     * The slots in {@code to} of ids given by their slots in {@code from}: -1 where an id has no row
     * in {@code from} (-1 in) or none in {@code to}.
     */
    public int[] translate(int[] fromSlots) {
        if (!current()) {
            throw new IllegalStateException("the slots of " + from + " or " + to + " changed since this translation was built");
        }
        int[] out = new int[fromSlots.length];
        for (int i = 0; i < fromSlots.length; i++) {
            int s = fromSlots[i];
            out[i] = s < 0 ? -1 : slots[s];
        }
        return out;
    }
}
