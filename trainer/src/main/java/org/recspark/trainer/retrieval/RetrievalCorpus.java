package org.recspark.trainer.retrieval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;
import org.recspark.trainer.data.Batches;
import org.recspark.trainer.data.EvaluationData;
import org.recspark.trainer.data.TrainingData;

/**
 * What ranking metrics rank over, gathered from rows in one pass each: the item corpus (every
 * distinct item of the query rows and the seen rows, by the item key feature's first id, indexed
 * in first-seen order, each with the first row holding it so a tower can embed it), the query
 * users (the user key of every query row with a positive label, each with its first such row),
 * each query user's relevant items (its positive query rows) and excluded items (its positive
 * seen rows: the training interactions). An item a user had among its seen rows is excluded from
 * its ranking and so not counted as relevant either: the metrics measure finding new items. Users
 * are the rows' group keys (input_config.user_id_field). Only the distinct items' and users' rows
 * are kept, so memory grows with the corpus, not with the rows.
 */
public final class RetrievalCorpus {
    private static final int READ_BATCH = 4096;

    private final long[] itemKeys;
    private final List<Examples> itemRows;
    private final long[] userKeys;
    private final List<Examples> userRows;
    private final int[][] relevant;
    private final int[][] excluded;
    private final long rowsWithoutItem;

    private RetrievalCorpus(long[] itemKeys, List<Examples> itemRows, long[] userKeys, List<Examples> userRows, int[][] relevant,
                            int[][] excluded, long rowsWithoutItem) {
        this.itemKeys = itemKeys;
        this.itemRows = List.copyOf(itemRows);
        this.userKeys = userKeys;
        this.userRows = List.copyOf(userRows);
        this.relevant = relevant;
        this.excluded = excluded;
        this.rowsWithoutItem = rowsWithoutItem;
    }

    /**
     * @param queries        the rows whose positives are the relevant items (the evaluation or test rows)
     * @param seen           the rows whose positives are excluded (the training rows, and the evaluation rows when testing)
     * @param itemKeyFeature the sparse feature whose first id identifies a row's item
     * @param label          the label whose values > 0 mark an interaction
     */
    public static RetrievalCorpus build(Supplier<Batches> queries, List<Supplier<Batches>> seen, int itemKeyFeature, String label) {
        Builder b = new Builder(itemKeyFeature, label);
        b.read(queries, "query", true);
        for (Supplier<Batches> s : seen) {
            b.read(s, "seen", false);
        }
        return b.build();
    }

    /** The rows a training or evaluation set reads, batch by batch, in a fixed order. */
    public static Supplier<Batches> rows(EvaluationData data) {
        return () -> data.batches(READ_BATCH);
    }

    /** The training rows in epoch 0's order. */
    public static Supplier<Batches> rows(TrainingData data) {
        return () -> data.epoch(0, 0, READ_BATCH);
    }

    public int numItems() {
        return itemKeys.length;
    }

    public int numUsers() {
        return userKeys.length;
    }

    /** The item key (the key feature's id) of each corpus index. */
    public long[] itemKeys() {
        return itemKeys.clone();
    }

    /** The user key (group key) of each query user. */
    public long[] userKeys() {
        return userKeys.clone();
    }

    /** One row per corpus item, in index order, in chunks of at most a read batch. */
    public List<Examples> itemRows() {
        return itemRows;
    }

    /** One row per query user, in user order, in chunks of at most a read batch. */
    public List<Examples> userRows() {
        return userRows;
    }

    /** Per query user, the corpus indices of its relevant items, ascending. Shared: do not modify. */
    int[][] relevant() {
        return relevant;
    }

    /** Per query user, the corpus indices of its excluded items, ascending. Shared: do not modify. */
    int[][] excluded() {
        return excluded;
    }

    public long excludedPairs() {
        return Arrays.stream(excluded).mapToLong(e -> e.length).sum();
    }

    public long relevantPairs() {
        return Arrays.stream(relevant).mapToLong(r -> r.length).sum();
    }

    /** Rows left out of the corpus because their item key feature was empty. */
    public long rowsWithoutItem() {
        return rowsWithoutItem;
    }

    private static final class Builder {
        private final int itemKeyFeature;
        private final String label;
        private final Map<Long, Integer> itemIndex = new HashMap<>();
        private final List<Long> itemKeys = new ArrayList<>();
        private final List<Examples> itemRows = new ArrayList<>();
        private final Map<Long, Integer> userIndex = new HashMap<>();
        private final List<Long> userKeys = new ArrayList<>();
        private final List<Examples> userRows = new ArrayList<>();
        private final List<IntList> relevant = new ArrayList<>();
        private final List<IntList> excluded = new ArrayList<>();
        private long rowsWithoutItem;

        Builder(int itemKeyFeature, String label) {
            this.itemKeyFeature = itemKeyFeature;
            this.label = label;
        }

        void read(Supplier<Batches> source, String what, boolean queries) {
            try (Batches batches = source.get()) {
                while (batches.hasNext()) {
                    add(batches.next(), what, queries);
                }
            }
        }

        private void add(Examples batch, String what, boolean queries) {
            if (!batch.hasLabel(label)) {
                throw new IllegalArgumentException("ranking metrics need the label '" + label + "' in the " + what + " rows; they have "
                        + batch.labels().keySet());
            }
            long[] users = batch.groupKeys();
            if (users == null) {
                throw new IllegalArgumentException("ranking metrics group the " + what
                        + " rows by user (input_config.user_id_field), but the rows carry no user key");
            }
            float[] y = batch.label(label);
            SparseValues ids = batch.sparse(itemKeyFeature);
            List<Integer> newItemRows = new ArrayList<>();
            List<Integer> newUserRows = new ArrayList<>();
            for (int r = 0; r < batch.numRows(); r++) {
                if (ids.end(r) == ids.start(r)) {
                    rowsWithoutItem++;
                    continue;
                }
                long key = ids.ids()[ids.start(r)];
                Integer item = itemIndex.get(key);
                if (item == null) {
                    item = itemKeys.size();
                    itemIndex.put(key, item);
                    itemKeys.add(key);
                    newItemRows.add(r);
                }
                if (!(y[r] > 0)) {
                    continue;
                }
                Integer user = userIndex.get(users[r]);
                if (queries && user == null) {
                    user = userKeys.size();
                    userIndex.put(users[r], user);
                    userKeys.add(users[r]);
                    newUserRows.add(r);
                    relevant.add(new IntList());
                    excluded.add(new IntList());
                }
                if (user != null) {
                    (queries ? relevant : excluded).get(user).add(item);
                }
            }
            if (!newItemRows.isEmpty()) {
                itemRows.add(batch.select(newItemRows.stream().mapToInt(Integer::intValue).toArray()));
            }
            if (!newUserRows.isEmpty()) {
                userRows.add(batch.select(newUserRows.stream().mapToInt(Integer::intValue).toArray()));
            }
        }

        RetrievalCorpus build() {
            int[][] rel = new int[relevant.size()][];
            int[][] ex = new int[excluded.size()][];
            for (int u = 0; u < rel.length; u++) {
                ex[u] = excluded.get(u).sorted();
                int[] candidates = relevant.get(u).sorted();
                int[] skip = ex[u];
                rel[u] = Arrays.stream(candidates).filter(i -> Arrays.binarySearch(skip, i) < 0).toArray();
            }
            return new RetrievalCorpus(itemKeys.stream().mapToLong(Long::longValue).toArray(), itemRows,
                    userKeys.stream().mapToLong(Long::longValue).toArray(), userRows, rel, ex, rowsWithoutItem);
        }
    }

    /** A growing list of ints, read once as a sorted set. */
    private static final class IntList {
        private int[] values = new int[4];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int[] sorted() {
            return Arrays.stream(values, 0, size).sorted().distinct().toArray();
        }
    }
}
