package org.recspark.bench.retrieval;

/**
 * A by-time split of the ratings into the two ranking tasks of the retrieval bench: validation,
 * where every method chooses its settings, and test, where the chosen settings are reported.
 */
public interface RetrievalSplit {
    HeldOutRanking validation(int[] catalogue, int positiveThreshold);

    HeldOutRanking test(int[] catalogue, int positiveThreshold);

    /** One line saying where the periods start, for the bench's output. */
    String describe();
}
