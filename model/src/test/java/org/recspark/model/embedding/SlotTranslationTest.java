package org.recspark.model.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.recspark.model.nn.Initializer;

/** Slots of one table's ids in another, and when that map goes stale. */
class SlotTranslationTest {

    private static EmbeddingTable table(String name, int dim, long... ids) {
        EmbeddingTable t = new EmbeddingTable(name, dim, Initializer.zeros(), 3);
        for (long id : ids) {
            t.slotOf(id);
        }
        return t;
    }

    @Test
    void mapsSlotsOfTheSameIdsInAnotherOrder() {
        EmbeddingTable main = table("items", 4, 10, 20, 30, 40);
        EmbeddingTable wide = table("items/wide", 1, 30, 10, 40);
        SlotTranslation t = SlotTranslation.between(main, wide);
        int[] mainSlots = {main.findSlot(40), main.findSlot(10), -1, main.findSlot(20), main.findSlot(30)};
        // 20 has no first-order row; -1 (an id the main table lacks) stays -1
        assertArrayEquals(new int[] {wide.findSlot(40), wide.findSlot(10), -1, -1, wide.findSlot(30)}, t.translate(mainSlots));
    }

    @Test
    void goesStaleWhenEitherTableChangesItsSlots() {
        EmbeddingTable main = table("items", 4, 10, 20);
        EmbeddingTable wide = table("items/wide", 1, 10, 20);
        SlotTranslation t = SlotTranslation.between(main, wide);
        assertTrue(t.current());
        main.slotOf(10);
        assertTrue(t.current(), "looking up an existing id changes nothing");
        wide.slotOf(30);
        assertFalse(t.current(), "a new row in the second table");
        assertThrows(IllegalStateException.class, () -> t.translate(new int[] {0}));

        SlotTranslation rebuilt = SlotTranslation.between(main, wide);
        main.restore(new long[] {20, 10}, new float[8], null);
        assertFalse(rebuilt.current(), "restored rows may sit at other slots");
    }
}
