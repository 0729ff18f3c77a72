package org.recspark.trainer.data;

import java.util.NoSuchElementException;
import org.recspark.model.data.Examples;

/** Held-out rows in memory, in their order, batches being slices. */
public final class InMemoryEvaluationData implements EvaluationData {
    private final Examples rows;

    public InMemoryEvaluationData(Examples rows) {
        this.rows = rows;
    }

    @Override
    public long numRows() {
        return rows.numRows();
    }

    @Override
    public Batches batches(int batchSize) {
        int n = rows.numRows();
        return new Batches() {
            private int from;

            @Override
            public boolean hasNext() {
                return from < n;
            }

            @Override
            public Examples next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int to = Math.min(n, from + batchSize);
                Examples batch = rows.slice(from, to);
                from = to;
                return batch;
            }

            @Override
            public void close() {
            }
        };
    }
}
