package org.recspark.bench.retrieval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.recspark.evaluator.RankingMetric;
import org.recspark.sampledata.MovieLens100k.Rating;
import org.recspark.trainer.retrieval.ExactTopK;

/**
 * One full-corpus ranking task of a time split: methods learn from the ratings before a cut
 * ({@link #training()}) and rank the whole item corpus for each query user; the metrics compare
 * the top K with the items the user rated positively after the cut.
 *
 * <ul>
 *   <li>Corpus: every item of the catalogue, indexed in ascending item id order, including items
 *   nobody rated before the cut.</li>
 *   <li>Excluded: per query user, every item they rated before the cut (any rating: a watched
 *   movie is not recommended again).</li>
 *   <li>Relevant: per query user, the items they rated >= the positive threshold after the cut
 *   that are not excluded.</li>
 *   <li>Query users: users with at least one relevant item and at least one rating before the
 *   cut, ascending by user id.</li>
 * </ul>
 *
 * Every method is scored by {@link #evaluate}: RecSpark's exact top-K over inner products
 * ({@link ExactTopK}, ties to the lower item index) and its ranking metrics ({@link RankingMetric}),
 * so all methods are measured by the same code. Immutable.
 */
public final class HeldOutRanking {
    private final List<Rating> training;
    private final int positiveThreshold;
    private final int[] itemIds;
    private final Map<Integer, Integer> itemIndex;
    private final int[] queryUsers;
    private final int[][] excluded;
    private final int[][] relevant;

    /**
     * @param training          the ratings before the cut, in time order
     * @param heldOut           the ratings after the cut
     * @param catalogue         every item id of the corpus
     * @param positiveThreshold ratings at or above it are positives
     */
    public HeldOutRanking(List<Rating> training, List<Rating> heldOut, int[] catalogue, int positiveThreshold) {
        this.training = List.copyOf(training);
        this.positiveThreshold = positiveThreshold;
        this.itemIds = Arrays.stream(catalogue).sorted().distinct().toArray();
        this.itemIndex = new HashMap<>();
        for (int i = 0; i < itemIds.length; i++) {
            itemIndex.put(itemIds[i], i);
        }
        Map<Integer, TreeSet<Integer>> seen = new HashMap<>();
        for (Rating r : training) {
            seen.computeIfAbsent(r.userId(), u -> new TreeSet<>()).add(index(r.itemId()));
        }
        Map<Integer, TreeSet<Integer>> liked = new TreeMap<>();
        for (Rating r : heldOut) {
            int item = index(r.itemId());
            TreeSet<Integer> before = seen.get(r.userId());
            if (r.rating() >= positiveThreshold && before != null && !before.contains(item)) {
                liked.computeIfAbsent(r.userId(), u -> new TreeSet<>()).add(item);
            }
        }
        this.queryUsers = liked.keySet().stream().mapToInt(Integer::intValue).toArray();
        this.excluded = new int[queryUsers.length][];
        this.relevant = new int[queryUsers.length][];
        for (int q = 0; q < queryUsers.length; q++) {
            excluded[q] = seen.get(queryUsers[q]).stream().mapToInt(Integer::intValue).toArray();
            relevant[q] = liked.get(queryUsers[q]).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private int index(int itemId) {
        Integer i = itemIndex.get(itemId);
        if (i == null) {
            throw new IllegalArgumentException("item " + itemId + " is rated but not in the catalogue");
        }
        return i;
    }

    /** The ratings before the cut, in time order. */
    public List<Rating> training() {
        return training;
    }

    /** The training ratings at or above the positive threshold, in time order: what every method learns from. */
    public List<Rating> trainingPositives() {
        List<Rating> out = new ArrayList<>();
        for (Rating r : training) {
            if (isPositive(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Whether a rating is at or above the positive threshold. */
    public boolean isPositive(Rating r) {
        return r.rating() >= positiveThreshold;
    }

    /** The corpus' item ids; an item's corpus index is its position. */
    public int[] itemIds() {
        return itemIds.clone();
    }

    /** The corpus index of an item id. */
    public int itemIndex(int itemId) {
        return index(itemId);
    }

    /** The query users' ids, ascending. */
    public int[] queryUsers() {
        return queryUsers.clone();
    }

    public int[] excluded(int query) {
        return excluded[query].clone();
    }

    public int[] relevant(int query) {
        return relevant[query].clone();
    }

    public long relevantPairs() {
        return Arrays.stream(relevant).mapToLong(r -> r.length).sum();
    }

    /** The metrics of a method's embeddings (users in {@link #queryUsers()} order, items in {@link #itemIds()} order). */
    public Map<String, Double> evaluate(Embeddings e, List<RankingMetric> metrics, int threads) {
        int dim = e.dim();
        if (e.users().length != queryUsers.length * dim || e.items().length != itemIds.length * dim) {
            throw new IllegalArgumentException("expected " + queryUsers.length + " users and " + itemIds.length + " items of dim " + dim
                    + ", got " + e.users().length / dim + " and " + e.items().length / dim);
        }
        int[][] rankings = new ExactTopK(threads).search(e.users(), e.items(), dim, excluded, RankingMetric.maxK(metrics)).items();
        return new LinkedHashMap<>(RankingMetric.compute(metrics, rankings, relevant));
    }
}
