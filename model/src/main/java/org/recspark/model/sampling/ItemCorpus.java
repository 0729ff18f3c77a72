package org.recspark.model.sampling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;

/**
 * The distinct items of a set of training rows, and optionally of an item table, for drawing
 * negatives: one row per item holding only the item's features (as at its first appearance, an
 * item table's row first; every other feature empty), the item's key (the first id of its key
 * feature) and how many training rows it appeared in (0 for an item of the table alone). Immutable.
 */
public final class ItemCorpus {
    private final Examples items;
    private final long[] keys;
    private final long[] counts;
    private final Map<Long, Integer> indexOfKey;
    private final Map<Long, int[]> itemsOfUser;

    private ItemCorpus(Examples items, long[] keys, long[] counts, Map<Long, int[]> itemsOfUser) {
        this.items = items;
        this.keys = keys;
        this.counts = counts;
        this.itemsOfUser = itemsOfUser;
        this.indexOfKey = new HashMap<>(keys.length * 2);
        for (int i = 0; i < keys.length; i++) {
            indexOfKey.put(keys[i], i);
        }
    }

    /** A collector of the items of rows whose key is {@code keyFeature}'s first id and whose features are {@code itemFeatures}. */
    public static Collector collector(FeatureSchema schema, int keyFeature, List<Integer> itemFeatures) {
        return new Collector(schema, keyFeature, itemFeatures);
    }

    public int size() {
        return keys.length;
    }

    /** One row per item, in order of first appearance. */
    public Examples items() {
        return items;
    }

    public long key(int item) {
        return keys[item];
    }

    /** Rows the item appeared in. */
    public long count(int item) {
        return counts[item];
    }

    /**
     * The indices of the items in the training rows of this user (group key), ascending; empty when
     * the collector did not record them ({@link Collector#recordingUserItems}) or the user has none.
     */
    public int[] itemsOfUser(long user) {
        return itemsOfUser.getOrDefault(user, new int[0]);
    }

    /** The item's index, or -1 when it is not in the corpus. */
    public int indexOf(long key) {
        Integer i = indexOfKey.get(key);
        return i == null ? -1 : i;
    }

    /** Gathers the corpus batch by batch; not thread-safe. */
    public static final class Collector {
        private final FeatureSchema schema;
        private final int keyFeature;
        private final Set<Integer> itemFeatures;
        private final Map<Long, Integer> seen = new HashMap<>();
        private final List<Long> keys = new ArrayList<>();
        private final List<long[]> counts = new ArrayList<>();
        private final List<Examples> chunks = new ArrayList<>();
        private Map<Long, Set<Integer>> userItems;

        private Collector(FeatureSchema schema, int keyFeature, List<Integer> itemFeatures) {
            if (!schema.features().get(keyFeature).sparse()) {
                throw new IllegalArgumentException("the item key feature '" + schema.features().get(keyFeature).name() + "' is dense");
            }
            this.schema = schema;
            this.keyFeature = keyFeature;
            this.itemFeatures = new TreeSet<>(itemFeatures);
            this.itemFeatures.add(keyFeature);
        }

        /** Also records, from the counted rows' group keys, which items each user's training rows hold. */
        public Collector recordingUserItems() {
            this.userItems = new HashMap<>();
            return this;
        }

        /** Counts the batch's items and keeps the rows of those not seen before; rows without a key are skipped. */
        public Collector add(Examples batch) {
            return gather(batch, 1);
        }

        /**
         * Keeps the rows of items not seen before without counting them: an item table's rows, so
         * that its items are in the corpus with a count of 0 until training rows count them.
         */
        public Collector addUncounted(Examples items) {
            return gather(items, 0);
        }

        private Collector gather(Examples batch, int countPerRow) {
            SparseValues ids = batch.sparse(keyFeature);
            List<Integer> fresh = new ArrayList<>();
            for (int r = 0; r < batch.numRows(); r++) {
                if (ids.end(r) == ids.start(r)) {
                    continue;
                }
                long key = ids.ids()[ids.start(r)];
                Integer index = seen.get(key);
                if (index == null) {
                    index = keys.size();
                    seen.put(key, index);
                    keys.add(key);
                    counts.add(new long[1]);
                    fresh.add(r);
                }
                counts.get(index)[0] += countPerRow;
                if (userItems != null && countPerRow > 0 && batch.groupKeys() != null) {
                    userItems.computeIfAbsent(batch.groupKeys()[r], u -> new TreeSet<>()).add(index);
                }
            }
            if (!fresh.isEmpty()) {
                chunks.add(itemColumnsOnly(batch.select(fresh.stream().mapToInt(Integer::intValue).toArray())));
            }
            return this;
        }

        public ItemCorpus build() {
            long[] k = keys.stream().mapToLong(Long::longValue).toArray();
            long[] c = counts.stream().mapToLong(a -> a[0]).toArray();
            Map<Long, int[]> byUser = new HashMap<>();
            if (userItems != null) {
                userItems.forEach((user, items) -> byUser.put(user, items.stream().mapToInt(Integer::intValue).toArray()));
            }
            return new ItemCorpus(concat(k.length), k, c, byUser);
        }

        private Examples itemColumnsOnly(Examples rows) {
            List<FeatureSpec> specs = schema.features();
            SparseValues[] sparse = new SparseValues[specs.size()];
            float[][] dense = new float[specs.size()][];
            for (int f = 0; f < specs.size(); f++) {
                boolean kept = itemFeatures.contains(f);
                if (specs.get(f).sparse()) {
                    sparse[f] = kept ? rows.sparse(f) : new SparseValues(new int[rows.numRows() + 1], new long[0], null);
                } else {
                    dense[f] = kept ? rows.dense(f) : new float[rows.numRows() * specs.get(f).denseDim()];
                }
            }
            return new Examples(schema, rows.numRows(), sparse, dense, Map.of(), null);
        }

        private Examples concat(int rows) {
            List<FeatureSpec> specs = schema.features();
            SparseValues[] sparse = new SparseValues[specs.size()];
            float[][] dense = new float[specs.size()][];
            for (int f = 0; f < specs.size(); f++) {
                if (specs.get(f).sparse()) {
                    sparse[f] = concatSparse(f, rows);
                } else {
                    int dim = specs.get(f).denseDim();
                    float[] out = new float[rows * dim];
                    int at = 0;
                    for (Examples chunk : chunks) {
                        float[] d = chunk.dense(f);
                        System.arraycopy(d, 0, out, at, d.length);
                        at += d.length;
                    }
                    dense[f] = out;
                }
            }
            return new Examples(schema, rows, sparse, dense, Map.of(), null);
        }

        private SparseValues concatSparse(int feature, int rows) {
            int total = 0;
            boolean weighted = false;
            for (Examples chunk : chunks) {
                SparseValues v = chunk.sparse(feature);
                total += v.offsets()[v.rows()];
                weighted |= v.weights() != null;
            }
            int[] offsets = new int[rows + 1];
            long[] ids = new long[total];
            float[] weights = weighted ? new float[total] : null;
            int row = 0;
            int at = 0;
            for (Examples chunk : chunks) {
                SparseValues v = chunk.sparse(feature);
                int n = v.offsets()[v.rows()];
                System.arraycopy(v.ids(), 0, ids, at, n);
                if (weighted) {
                    if (v.weights() != null) {
                        System.arraycopy(v.weights(), 0, weights, at, n);
                    } else {
                        Arrays.fill(weights, at, at + n, 1f);
                    }
                }
                for (int r = 0; r < v.rows(); r++) {
                    offsets[row + r + 1] = at + v.offsets()[r + 1];
                }
                row += v.rows();
                at += n;
            }
            return new SparseValues(offsets, ids, weights);
        }
    }
}
