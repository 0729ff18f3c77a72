package org.recspark.model.nn;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;
import org.recspark.model.embedding.EmbeddingTable;

/**
 * Every piece of state a model trains: dense parameters, buffers and embedding tables, by unique
 * name and in creation order (so checkpoints, warm starts and weight checksums are deterministic).
 * A parameter's initial value depends only on the seed and its name.
 */
public final class ModelParameters {
    private final long seed;
    private final Map<String, Parameter> dense = new LinkedHashMap<>();
    private final Map<String, EmbeddingTable> tables = new LinkedHashMap<>();
    private final List<TableUse> uses = new ArrayList<>();
    private final List<Penalty> penalties = new ArrayList<>();

    /** A feature (by index in the schema) whose ids index a table. */
    public record TableUse(int feature, EmbeddingTable table) {}

    public ModelParameters(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** A new trainable parameter. */
    public Parameter weight(String name, int rows, int cols, Initializer initializer) {
        return add(name, rows, cols, initializer, true);
    }

    /** Registers a term training adds to the loss (a regulariser of parameters created here). */
    public void addPenalty(Penalty penalty) {
        penalties.add(penalty);
    }

    /** The registered penalties, in registration order. */
    public List<Penalty> penalties() {
        return List.copyOf(penalties);
    }

    /** A new non-trainable buffer (running statistics). */
    public Parameter buffer(String name, int rows, int cols, Initializer initializer) {
        return add(name, rows, cols, initializer, false);
    }

    private Parameter add(String name, int rows, int cols, Initializer initializer, boolean trainable) {
        if (dense.containsKey(name) || tables.containsKey(name)) {
            throw new IllegalArgumentException("parameter name '" + name + "' is used twice");
        }
        float[] value = new float[rows * cols];
        initializer.fill(value, 0, value.length, new SplittableRandom(seed * 31 + name.hashCode()));
        Parameter p = new Parameter(name, rows, cols, value, trainable);
        dense.put(name, p);
        return p;
    }

    /**
     * The embedding table of that name, created on first request; later requests (shared embeddings)
     * must agree on the dimension.
     */
    public EmbeddingTable table(String name, int dim, Initializer initializer) {
        EmbeddingTable table = tables.get(name);
        if (table == null) {
            if (dense.containsKey(name)) {
                throw new IllegalArgumentException("name '" + name + "' is a dense parameter");
            }
            table = new EmbeddingTable(name, dim, initializer, seed);
            tables.put(name, table);
        } else if (table.dim() != dim) {
            throw new IllegalArgumentException("embedding table '" + name + "' is used with dimensions " + table.dim()
                    + " and " + dim);
        }
        return table;
    }

    /** Records that a feature's ids index a table, so batches get their rows allocated before a step. */
    public void bind(int feature, EmbeddingTable table) {
        for (TableUse use : uses) {
            if (use.feature() == feature && use.table() == table) {
                return;
            }
        }
        uses.add(new TableUse(feature, table));
    }

    /** Allocates the rows of every id in the batch (single-threaded, before shards read the tables). */
    public void allocateRows(Examples batch) {
        for (TableUse use : uses) {
            SparseValues values = batch.sparse(use.feature());
            long[] ids = values.ids();
            int end = values.offsets()[values.rows()];
            for (int i = 0; i < end; i++) {
                use.table().slotOf(ids[i]);
            }
        }
    }

    public Collection<Parameter> all() {
        return dense.values();
    }

    public List<Parameter> trainable() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : dense.values()) {
            if (p.trainable()) {
                out.add(p);
            }
        }
        return out;
    }

    public Parameter parameter(String name) {
        return dense.get(name);
    }

    public Collection<EmbeddingTable> tables() {
        return tables.values();
    }

    public EmbeddingTable tableNamed(String name) {
        return tables.get(name);
    }

    /**
     * A 64-bit checksum of every weight: dense parameters and buffers in creation order, then each
     * table's rows in id order (so it does not depend on the order rows were allocated). Equal on
     * data-parallel workers exactly when their models are bit-identical (up to hash collisions).
     */
    public long weightChecksum() {
        long h = 0xcbf29ce484222325L;
        for (Parameter p : dense.values()) {
            for (float v : p.value()) {
                h = mixInto(h, Float.floatToRawIntBits(v));
            }
        }
        for (EmbeddingTable t : tables.values()) {
            long[] ids = t.ids().clone();
            java.util.Arrays.sort(ids);
            float[] row = new float[t.dim()];
            for (long id : ids) {
                h = mixInto(h, id);
                t.read(id, row, 0);
                for (float v : row) {
                    h = mixInto(h, Float.floatToRawIntBits(v));
                }
            }
        }
        return h;
    }

    private static long mixInto(long h, long v) {
        h ^= v;
        h *= 0x100000001b3L;
        return h ^ (h >>> 29);
    }

    public long denseParameterCount() {
        long n = 0;
        for (Parameter p : dense.values()) {
            n += p.size();
        }
        return n;
    }
}
