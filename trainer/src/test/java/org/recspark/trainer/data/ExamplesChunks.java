package org.recspark.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.recspark.features.FeatureSpec;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;

/**
 * A {@link RowChunkSource} over rows in memory, cut into chunks of the given sizes: a stand-in for
 * Parquet row groups in tests of the streaming readers. Each row's group key is its index, so tests
 * can follow rows through a shuffle; rows are counted as they are read.
 */
public final class ExamplesChunks implements RowChunkSource {
    private final Examples rows;
    private final long[] starts;
    private long rowsRead;
    private int plannedRowsOverride = -1;

    public ExamplesChunks(Examples rows, int... chunkSizes) {
        this.rows = rows;
        this.starts = new long[chunkSizes.length + 1];
        for (int c = 0; c < chunkSizes.length; c++) {
            starts[c + 1] = starts[c] + chunkSizes[c];
        }
        if (starts[chunkSizes.length] != rows.numRows()) {
            throw new IllegalArgumentException("chunks of " + starts[chunkSizes.length] + " rows for " + rows.numRows() + " rows");
        }
    }

    /** Chunks of {@code size} rows (the last shorter). */
    public static ExamplesChunks of(Examples rows, int size) {
        List<Integer> sizes = new ArrayList<>();
        for (int from = 0; from < rows.numRows(); from += size) {
            sizes.add(Math.min(size, rows.numRows() - from));
        }
        return new ExamplesChunks(rows, sizes.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Announces this many rows for chunk 0, whatever it holds (a table changed since planning). */
    ExamplesChunks announcingForFirstChunk(int plannedRows) {
        this.plannedRowsOverride = plannedRows;
        return this;
    }

    public synchronized long rowsRead() {
        return rowsRead;
    }

    @Override
    public int numChunks() {
        return starts.length - 1;
    }

    @Override
    public long rows(int chunk) {
        return chunk == 0 && plannedRowsOverride >= 0 ? plannedRowsOverride : starts[chunk + 1] - starts[chunk];
    }

    @Override
    public void read(int chunk, PackedRowBuilder builder, Consumer<PackedRow> sink) {
        List<FeatureSpec> specs = rows.schema().features();
        for (int r = (int) starts[chunk]; r < starts[chunk + 1]; r++) {
            for (int f = 0; f < specs.size(); f++) {
                FeatureSpec spec = specs.get(f);
                if (spec.sparse()) {
                    SparseValues v = rows.sparse(f);
                    for (int k = v.start(r); k < v.end(r); k++) {
                        builder.addId(f, v.ids()[k]);
                        if (spec.weighted()) {
                            builder.addWeight(f, v.weight(k));
                        }
                    }
                } else {
                    for (int k = 0; k < spec.denseDim(); k++) {
                        builder.addDense(f, rows.dense(f)[r * spec.denseDim() + k]);
                    }
                }
            }
            List<String> labels = builder.layout().labels();
            for (int l = 0; l < labels.size(); l++) {
                builder.setLabel(l, rows.label(labels.get(l))[r]);
            }
            builder.setGroupKey(r);
            synchronized (this) {
                rowsRead++;
            }
            sink.accept(builder.build());
        }
    }
}
