package org.recspark.trainer.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training stream's chunks kept in memory once decoded ({@code train_config.input_cache}, what
 * tf.data's {@code cache()} placed before {@code shuffle()} does): the first read of a chunk decodes
 * it from the source and keeps its rows, later reads (the following epochs) replay the kept rows in
 * their stored order. The cache sits below the stream's chunk order and shuffle buffer, so every
 * epoch is still shuffled as the config says and a cached epoch gives exactly the batches a
 * streamed one gives. Packed rows are immutable, so replayed rows are shared, not copied.
 *
 * <p>Memory: at most {@code maxBytes} of kept rows (their estimated heap size, {@link PackedRow#heapBytes}).
 * When a chunk does not fit, the cache keeps what it holds, warns once naming the budget's config
 * path, and from then on reads every chunk it does not hold from the source, every epoch: the run
 * goes on at streaming speed for those chunks rather than failing after an epoch of work. Only a
 * chunk read whole is kept (a stream closed mid-chunk keeps nothing of it). Safe for several
 * streams at once.
 */
public final class CachedRowChunks implements RowChunkSource {
    /** The budget's config path, named by the warning when the rows do not fit. */
    public static final String BUDGET_PATH = "train_config.input_cache.max_bytes";
    private static final Logger LOG = LoggerFactory.getLogger(CachedRowChunks.class);

    private final RowChunkSource source;
    private final long maxBytes;
    private final String name;
    private final AtomicReferenceArray<PackedRow[]> kept;
    private long keptBytes;
    private long keptRows;
    private int keptChunks;
    private boolean full;

    /**
     * @param name names the stream in the log (a worker's rank)
     */
    public CachedRowChunks(RowChunkSource source, long maxBytes, String name) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException(BUDGET_PATH + " must be >= 1, got " + maxBytes);
        }
        this.source = source;
        this.maxBytes = maxBytes;
        this.name = name;
        this.kept = new AtomicReferenceArray<>(source.numChunks());
    }

    @Override
    public int numChunks() {
        return source.numChunks();
    }

    @Override
    public long rows(int chunk) {
        return source.rows(chunk);
    }

    @Override
    public void read(int chunk, PackedRowBuilder builder, Consumer<PackedRow> sink) throws IOException {
        PackedRow[] rows = kept.get(chunk);
        if (rows != null) {
            for (PackedRow row : rows) {
                sink.accept(row);
            }
            return;
        }
        if (isFull()) {
            source.read(chunk, builder, sink);
            return;
        }
        Keeper keeper = new Keeper(remainingBytes(), source.rows(chunk));
        source.read(chunk, builder, row -> {
            keeper.offer(row);
            sink.accept(row);
        });
        if (keeper.rows != null && keeper.rows.size() == source.rows(chunk)) {
            keep(chunk, keeper);
        } else if (keeper.rows == null) {
            overBudget(keeper.bytes);
        }
    }

    @Override
    public PackedRow[] heldRows(int chunk) {
        return kept.get(chunk);
    }

    /** Bytes of rows held now (their estimated heap size). */
    public synchronized long keptBytes() {
        return keptBytes;
    }

    /** Chunks held now. */
    public synchronized int keptChunks() {
        return keptChunks;
    }

    private synchronized boolean isFull() {
        return full;
    }

    private synchronized long remainingBytes() {
        return maxBytes - keptBytes;
    }

    private synchronized void keep(int chunk, Keeper keeper) {
        if (kept.get(chunk) != null) {
            return;
        }
        if (keptBytes + keeper.bytes > maxBytes) {
            overBudget(keeper.bytes);
            return;
        }
        kept.set(chunk, keeper.rows.toArray(new PackedRow[0]));
        keptBytes += keeper.bytes;
        keptRows += keeper.rows.size();
        keptChunks++;
        if (keptChunks == kept.length()) {
            LOG.info("Input cache {}: all {} chunks decoded once and held, {} rows in {} of {} = {}; later epochs replay them",
                    name, keptChunks, keptRows, mebibytes(keptBytes), BUDGET_PATH, mebibytes(maxBytes));
        }
    }

    private synchronized void overBudget(long chunkBytes) {
        if (full) {
            return;
        }
        full = true;
        LOG.warn("Input cache {}: {} = {} holds {} of {} chunks ({} rows, {}) and a chunk of {} does not fit, so the chunks "
                        + "not held are decoded from the samples every epoch (raise {} to hold them all)",
                name, BUDGET_PATH, mebibytes(maxBytes), keptChunks, kept.length(), keptRows, mebibytes(keptBytes),
                mebibytes(chunkBytes), BUDGET_PATH);
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB (%d bytes)", bytes / 1048576.0, bytes);
    }

    /** Collects a chunk's rows while they stay within the budget left; drops them once they do not. */
    private static final class Keeper {
        private final long budget;
        private List<PackedRow> rows;
        private long bytes;

        Keeper(long budget, long expectedRows) {
            this.budget = budget;
            this.rows = new ArrayList<>((int) Math.min(expectedRows, 1 << 20));
        }

        void offer(PackedRow row) {
            bytes += row.heapBytes();
            if (rows != null && bytes > budget) {
                rows = null;
            }
            if (rows != null) {
                rows.add(row);
            }
        }
    }
}
