package org.recspark.trainer.distributed;

/**
 * Which rank owns an embedding row: it sums the row's gradient over the ranks, keeps the row's optimizer state and
 * applies its update, as DeepSpeed and TorchRec shard an embedding optimizer's state. The owner is a fixed hash of
 * the table's index and the row's id, so every rank computes it alone, steps and runs agree on it, and the rows of a
 * table spread evenly over the ranks whatever the ids look like (consecutive ids, ids of one stride).
 */
final class RowOwners {
    private RowOwners() {}

    /**
     * @param table the table's index among the model's tables (the same order on every rank)
     * @param ranks the ring's size
     */
    static int ownerOf(int table, long id, int ranks) {
        // SplitMix64's finaliser: every bit of the id and the table reaches every bit of the hash.
        long h = id * 0x9E3779B97F4A7C15L + table;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        // The hash's top 32 bits scaled to [0, ranks) by a multiply and a shift (Lemire's range reduction): no
        // 64-bit division for each of a step's thousands of rows.
        return (int) (((h >>> 32) * ranks) >>> 32);
    }
}
