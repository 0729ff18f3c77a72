package org.recspark.model.embedding;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.recspark.model.nn.Initializer;

/**
 * A hashed embedding table: rows exist only for ids that have been trained (allocated on first use),
 * so a table over a 2^30 hash space costs memory in proportion to the ids seen. A row's initial
 * value depends only on (seed, table name, id), never on the order ids arrive, so every worker and
 * every rerun creates identical rows. Rows and the optimizer's per-row state live in fixed-size
 * chunks (no copying as the table grows).
 *
 * <p>Allocation ({@link #slotOf}) is single-threaded (the trainer's prepare phase); reads
 * ({@link #findSlot}, {@link #read}) may run from several shard threads once a batch is prepared.
 */
public final class EmbeddingTable {
    private static final int CHUNK_ROWS = 4096;

    private final String name;
    private final int dim;
    private final Initializer initializer;
    private final long seed;
    private final Long2IntOpenHashMap slots = new Long2IntOpenHashMap();
    private long[] idsBySlot = new long[CHUNK_ROWS];
    private float[][] valueChunks = new float[0][];
    private float[][] stateChunks = new float[0][];
    private int stateWidth;
    private float initialState;
    private int size;
    private long generation;

    public EmbeddingTable(String name, int dim, Initializer initializer, long seed) {
        if (dim <= 0) {
            throw new IllegalArgumentException("table '" + name + "' needs a positive dimension, got " + dim);
        }
        this.name = name;
        this.dim = dim;
        this.initializer = initializer;
        this.seed = seed;
        slots.defaultReturnValue(-1);
    }

    public String name() {
        return name;
    }

    public int dim() {
        return dim;
    }

    /** Rows allocated so far. */
    public int size() {
        return size;
    }

    /**
     * Floats of optimizer state per row (set once by the sparse optimizer, before training; state
     * starts at {@code initialState}). Rows that exist already without state (loaded by a warm
     * start, which carries weights but not optimizer state) get the initial state.
     */
    public void configureState(int width, float initialState) {
        if (size > 0 && stateWidth != 0) {
            if (width != stateWidth || initialState != this.initialState) {
                throw new IllegalStateException("table '" + name + "' already has rows with state width " + stateWidth);
            }
            return;
        }
        this.stateWidth = width;
        this.initialState = initialState;
        this.stateChunks = new float[valueChunks.length][];
        for (int c = 0; c < valueChunks.length; c++) {
            stateChunks[c] = newStateChunk();
        }
    }

    public int stateWidth() {
        return stateWidth;
    }

    /** The slot of an id, allocating and initialising its row when new. */
    public int slotOf(long id) {
        int slot = slots.get(id);
        if (slot >= 0) {
            return slot;
        }
        slot = size++;
        generation++;
        int chunk = slot / CHUNK_ROWS;
        if (chunk == valueChunks.length) {
            valueChunks = Arrays.copyOf(valueChunks, chunk + 1);
            valueChunks[chunk] = new float[CHUNK_ROWS * dim];
            stateChunks = Arrays.copyOf(stateChunks, chunk + 1);
            stateChunks[chunk] = newStateChunk();
        }
        if (slot == idsBySlot.length) {
            idsBySlot = Arrays.copyOf(idsBySlot, idsBySlot.length * 2);
        }
        idsBySlot[slot] = id;
        initialRow(id, valueChunks[chunk], (slot % CHUNK_ROWS) * dim);
        slots.put(id, slot);
        return slot;
    }

    private float[] newStateChunk() {
        if (stateWidth == 0) {
            return null;
        }
        float[] chunk = new float[CHUNK_ROWS * stateWidth];
        if (initialState != 0) {
            Arrays.fill(chunk, initialState);
        }
        return chunk;
    }

    /**
     * Changes whenever the id-to-slot map does (a row is added, or the rows are replaced), so
     * anything derived from slots ({@link SlotTranslation}) can tell it is stale.
     */
    public long generation() {
        return generation;
    }

    /** The slot of an id, or -1 when it has no row. */
    public int findSlot(long id) {
        return slots.get(id);
    }

    public long idAt(int slot) {
        return idsBySlot[slot];
    }

    /** The chunk holding a slot's values; the row starts at {@link #offset(int)}. */
    public float[] values(int slot) {
        return valueChunks[slot / CHUNK_ROWS];
    }

    public int offset(int slot) {
        return (slot % CHUNK_ROWS) * dim;
    }

    /** The chunk holding a slot's optimizer state; the row's state starts at {@link #stateOffset(int)}. */
    public float[] state(int slot) {
        return stateChunks[slot / CHUNK_ROWS];
    }

    public int stateOffset(int slot) {
        return (slot % CHUNK_ROWS) * stateWidth;
    }

    /**
     * Copies an id's row into {@code out}: its trained value, or the value it would be initialised
     * with when it has no row (an id first seen at evaluation or serving time), without allocating.
     */
    public void read(long id, float[] out, int offset) {
        int slot = slots.get(id);
        if (slot >= 0) {
            System.arraycopy(values(slot), offset(slot), out, offset, dim);
        } else {
            initialRow(id, out, offset);
        }
    }

    private void initialRow(long id, float[] target, int offset) {
        initializer.fill(target, offset, dim, new SplittableRandom(mix(seed, name.hashCode(), id)));
    }

    private static long mix(long seed, int tableHash, long id) {
        long h = seed * 0x9E3779B97F4A7C15L + tableHash;
        h ^= id * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 32);
    }

    /** Replaces the table's rows (restore from a checkpoint): ids, values (dim each) and state. */
    public void restore(long[] ids, float[] values, float[] state) {
        slots.clear();
        size = 0;
        generation++;
        valueChunks = new float[0][];
        stateChunks = new float[0][];
        idsBySlot = new long[Math.max(CHUNK_ROWS, ids.length)];
        boolean withState = state != null && stateWidth > 0;
        for (int i = 0; i < ids.length; i++) {
            int slot = slotOf(ids[i]);
            System.arraycopy(values, i * dim, values(slot), offset(slot), dim);
            if (withState) {
                System.arraycopy(state, i * stateWidth, state(slot), stateOffset(slot), stateWidth);
            }
        }
    }

    /** All ids with rows, in slot order. */
    public long[] ids() {
        return Arrays.copyOf(idsBySlot, size);
    }

    /** All rows' values in slot order (size x dim). */
    public float[] valuesInSlotOrder() {
        float[] out = new float[size * dim];
        for (int slot = 0; slot < size; slot++) {
            System.arraycopy(values(slot), offset(slot), out, slot * dim, dim);
        }
        return out;
    }

    /** All rows' optimizer state in slot order (size x stateWidth), or null without state. */
    public float[] stateInSlotOrder() {
        if (stateWidth == 0) {
            return null;
        }
        float[] out = new float[size * stateWidth];
        for (int slot = 0; slot < size; slot++) {
            System.arraycopy(state(slot), stateOffset(slot), out, slot * stateWidth, stateWidth);
        }
        return out;
    }

    @Override
    public String toString() {
        return "EmbeddingTable[" + name + ", dim " + dim + ", " + size + " rows]";
    }
}
