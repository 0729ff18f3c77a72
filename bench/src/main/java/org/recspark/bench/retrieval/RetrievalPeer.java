package org.recspark.bench.retrieval;

/**
 * A retrieval method in the peers benchmark: it chooses its settings on the validation task only,
 * then learns from the test task's training ratings with them and is scored on the test task.
 * Every method ranks by the inner product of a user and an item vector, so
 * {@link HeldOutRanking#evaluate} measures them all the same way.
 */
public interface RetrievalPeer {
    String name();

    PeerResult run(HeldOutRanking validation, HeldOutRanking test);
}
