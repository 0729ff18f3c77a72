package org.recspark.trainer.data;

/**
 * Held-out rows, read in one fixed order batch by batch, so that scoring them never needs all of
 * them in memory at once: held in memory ({@link InMemoryEvaluationData}) or streamed from storage
 * ({@link StreamingEvaluationData}).
 */
public interface EvaluationData {
    long numRows();

    /** Every row in order, {@code batchSize} rows a batch, the last one shorter. */
    Batches batches(int batchSize);
}
