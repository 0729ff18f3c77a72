package org.recspark.model.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.recspark.model.nn.Initializer;

/** Hashed rows: deterministic initial values, reads without allocation, chunked storage and restore. */
class EmbeddingTableTest {

    private static final int DIM = 4;

    private static EmbeddingTable table(String name, long seed) {
        return new EmbeddingTable(name, DIM, new Initializer.Uniform(0.5f), seed);
    }

    private static float[] row(EmbeddingTable t, long id) {
        int slot = t.findSlot(id);
        assertTrue(slot >= 0, "id " + id + " has a row");
        return Arrays.copyOfRange(t.values(slot), t.offset(slot), t.offset(slot) + t.dim());
    }

    @Test
    void rowsLoadedBeforeTheOptimizerAttachesGetItsInitialState() {
        // a warm start fills rows first; the sparse optimizer (Adagrad: one accumulator per float) attaches after
        EmbeddingTable t = table("users", 3);
        int loaded = t.slotOf(42);
        t.configureState(DIM, 0.1f);
        assertEquals(DIM, t.stateWidth());
        for (int k = 0; k < DIM; k++) {
            assertEquals(0.1f, t.state(loaded)[t.stateOffset(loaded) + k], "state of the loaded row");
        }
        int fresh = t.slotOf(7);
        assertEquals(0.1f, t.state(fresh)[t.stateOffset(fresh)], "state of a row allocated after");
        t.configureState(DIM, 0.1f);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.configureState(1, 0f));
        assertTrue(e.getMessage().contains("table 'users' already has rows with state width " + DIM), e.getMessage());
    }

    @Test
    void rowInitialisationDoesNotDependOnAllocationOrder() {
        EmbeddingTable forward = table("items", 7);
        EmbeddingTable backward = table("items", 7);
        long[] ids = {5, -3, 1L << 40, 0, 123_456_789L};
        for (long id : ids) {
            forward.slotOf(id);
        }
        for (int i = ids.length - 1; i >= 0; i--) {
            backward.slotOf(ids[i]);
        }
        assertEquals(0, forward.findSlot(5), "slots in allocation order");
        assertEquals(0, backward.findSlot(123_456_789L), "slots in allocation order");
        for (long id : ids) {
            assertArrayEquals(row(forward, id), row(backward, id), "row of id " + id);
            float[] r = row(forward, id);
            for (float v : r) {
                assertTrue(Math.abs(v) <= 0.5f, "uniform within the bound");
            }
        }
        assertFalse(Arrays.equals(row(forward, 5), row(forward, 0)), "ids get different rows");
        EmbeddingTable otherName = table("users", 7);
        otherName.slotOf(5);
        assertFalse(Arrays.equals(row(forward, 5), row(otherName, 5)), "another table name, other rows");
        EmbeddingTable otherSeed = table("items", 8);
        otherSeed.slotOf(5);
        assertFalse(Arrays.equals(row(forward, 5), row(otherSeed, 5)), "another seed, other rows");
        assertEquals(forward.findSlot(-3), forward.slotOf(-3), "slotOf of a known id returns its slot");
        assertEquals(ids.length, forward.size(), "no row allocated twice");
    }

    @Test
    void readOfAnUnallocatedIdIsItsFutureRowAndAllocatesNothing() {
        EmbeddingTable t = table("items", 3);
        t.slotOf(1);
        float[] out = new float[DIM + 2];
        t.read(77, out, 2);
        assertEquals(1, t.size(), "read does not allocate");
        assertEquals(-1, t.findSlot(77), "read does not allocate");
        assertEquals(0f, out[0], "read writes at the offset only");
        assertEquals(0f, out[1], "read writes at the offset only");
        t.slotOf(77);
        assertArrayEquals(row(t, 77), Arrays.copyOfRange(out, 2, 2 + DIM), "the value it gets once allocated");
        // after training changes the row, read returns the trained value
        t.values(t.findSlot(77))[t.offset(t.findSlot(77))] = 9f;
        float[] again = new float[DIM];
        t.read(77, again, 0);
        assertEquals(9f, again[0], "read of an allocated id is its current value");
    }

    @Test
    void rowsSpanSeveralChunks() {
        EmbeddingTable t = table("big", 1);
        int n = 4096 * 2 + 10;
        for (int i = 0; i < n; i++) {
            t.slotOf(1000L + i * 7L);
        }
        assertEquals(n, t.size(), "rows allocated");
        long[] ids = t.ids();
        assertEquals(n, ids.length, "ids in slot order");
        assertEquals(1000L + 4096 * 7L, ids[4096], "the first id of the second chunk");
        float[] scratch = new float[DIM];
        for (int slot : new int[] {0, 4095, 4096, 8191, 8192, n - 1}) {
            long id = t.idAt(slot);
            assertEquals(slot, t.findSlot(id), "slot of id " + id);
            table("big", 1).read(id, scratch, 0);
            assertArrayEquals(scratch, row(t, id), "row of slot " + slot + " equals its fresh initial value");
        }
        float[] all = t.valuesInSlotOrder();
        assertArrayEquals(row(t, t.idAt(4096)), Arrays.copyOfRange(all, 4096 * DIM, 4097 * DIM), "values in slot order");
    }

    @Test
    void restoreReplacesRowsAndState() {
        EmbeddingTable t = table("items", 5);
        t.configureState(2, 0.1f);
        t.slotOf(101);
        t.slotOf(200);
        long[] ids = new long[5000];
        float[] values = new float[ids.length * DIM];
        float[] state = new float[ids.length * 2];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 3L * i + 1;
            for (int j = 0; j < DIM; j++) {
                values[i * DIM + j] = i + j / 10f;
            }
            state[i * 2] = -i;
            state[i * 2 + 1] = i + 0.5f;
        }
        t.restore(ids, values, state);
        assertEquals(ids.length, t.size(), "rows after restore");
        assertEquals(-1, t.findSlot(101), "rows not in the checkpoint are gone");
        assertEquals(-1, t.findSlot(200), "rows not in the checkpoint are gone");
        assertArrayEquals(ids, t.ids(), "ids in the checkpoint's order");
        assertArrayEquals(values, t.valuesInSlotOrder(), "values restored");
        assertArrayEquals(state, t.stateInSlotOrder(), "state restored");
        assertArrayEquals(new float[] {4321, 4321.1f, 4321.2f, 4321.3f}, row(t, 3L * 4321 + 1), 1e-3f,
                "a row past the first chunk");
        // rows allocated after the restore start with the configured initial state
        int slot = t.slotOf(2);
        assertEquals(0.1f, t.state(slot)[t.stateOffset(slot)], "initial state of a new row");
        assertEquals(0.1f, t.state(slot)[t.stateOffset(slot) + 1], "initial state of a new row");
        assertArrayEquals(row(t, 2), freshRow("items", 5, 2), "a new row is initialised as usual");
    }

    @Test
    void restoreWithoutStateKeepsTheInitialState() {
        EmbeddingTable t = table("items", 5);
        t.configureState(1, 0.25f);
        t.restore(new long[] {9, 8}, new float[] {1, 2, 3, 4, 5, 6, 7, 8}, null);
        assertArrayEquals(new float[] {0.25f, 0.25f}, t.stateInSlotOrder(), "initial state");
        assertArrayEquals(new float[] {5, 6, 7, 8}, row(t, 8), "values restored");
    }

    @Test
    void stateIsConfiguredBeforeRowsExist() {
        EmbeddingTable t = table("items", 5);
        assertNull(t.stateInSlotOrder(), "no state configured");
        t.configureState(DIM, 0.1f);
        int slot = t.slotOf(1);
        assertEquals(0.1f, t.state(slot)[t.stateOffset(slot) + DIM - 1], "initial state");
        t.configureState(DIM, 0.1f);
        assertThrows(IllegalStateException.class, () -> t.configureState(2 * DIM, 0), "another width once rows exist");
        assertThrows(IllegalArgumentException.class, () -> new EmbeddingTable("bad", 0, Initializer.zeros(), 1), "dimension 0");
    }

    private static float[] freshRow(String name, long seed, long id) {
        float[] out = new float[DIM];
        table(name, seed).read(id, out, 0);
        return out;
    }
}
