package org.recspark.trainer.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.MapRecord;
import org.recspark.model.data.Examples;
import org.recspark.model.data.ExamplesBuilder;

/**
 * A small deterministic CTR data set with a planted signal, as raw user, item and context records.
 *
 * <p>{@link #USERS} users and {@link #ITEMS} items (so each id is seen some 40-60 times in 6,000
 * rows and id embeddings can generalise). Users prefer two of {@link #CATEGORIES} item categories
 * and have a behaviour history of 3-10 items, 80% of them from the preferred categories (fields {@code seq_items}, {@code seq_categories},
 * most recent first, "|"-joined). Items have a category and a numeric {@code quality} in [0, 1);
 * impressions have a context field {@code hour}. The click logit is
 * <pre>
 *   -2.0 + 2.5 * [item category in the user's history] + 1.0 * [item category preferred by the user]
 *        + 2.0 * (quality - 0.5) + 0.5 * [hour is evening]
 * </pre>
 * and a click converts with probability sigmoid(-0.8 + 4 * (quality - 0.5) + 0.8 * [category preferred]);
 * "conversion" is 1 only for a converted click. Labels: "click", "conversion"; group key: the user.
 */
public final class SyntheticCtrData {
    static final int USERS = 100;
    static final int ITEMS = 150;
    static final int CATEGORIES = 12;
    static final List<String> HOURS = List.of("morning", "noon", "evening", "night");
    public static final List<String> LABELS = List.of("click", "conversion");

    /** One impression: the raw records and labels. */
    public record Row(int user, int item, String hour, boolean click, boolean conversion, double clickProbability) {}

    private final int[] itemCategory = new int[ITEMS];
    private final double[] itemQuality = new double[ITEMS];
    private final List<Set<Integer>> preferred = new ArrayList<>();
    private final List<List<Integer>> history = new ArrayList<>();
    private final MapRecord[] users = new MapRecord[USERS];
    private final MapRecord[] items = new MapRecord[ITEMS];
    private final Map<String, MapRecord> contexts = new HashMap<>();
    private final List<Row> train;
    private final List<Row> test;

    public SyntheticCtrData(long seed, int trainRows, int testRows) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<List<Integer>> byCategory = new ArrayList<>();
        for (int c = 0; c < CATEGORIES; c++) {
            byCategory.add(new ArrayList<>());
        }
        for (int i = 0; i < ITEMS; i++) {
            itemCategory[i] = rnd.nextInt(CATEGORIES);
            itemQuality[i] = rnd.nextDouble();
            byCategory.get(itemCategory[i]).add(i);
            items[i] = new MapRecord(Map.of("item_id", (long) i, "category", category(itemCategory[i]), "quality", itemQuality[i]));
        }
        for (int u = 0; u < USERS; u++) {
            int a = rnd.nextInt(CATEGORIES);
            int b = (a + 1 + rnd.nextInt(CATEGORIES - 1)) % CATEGORIES;
            preferred.add(Set.of(a, b));
            int length = 3 + rnd.nextInt(8);
            List<Integer> seq = new ArrayList<>();
            for (int k = 0; k < length; k++) {
                if (rnd.nextDouble() < 0.8) {
                    List<Integer> pool = byCategory.get(rnd.nextBoolean() ? a : b);
                    seq.add(pool.isEmpty() ? rnd.nextInt(ITEMS) : pool.get(rnd.nextInt(pool.size())));
                } else {
                    seq.add(rnd.nextInt(ITEMS));
                }
            }
            history.add(seq);
            List<String> seqItems = new ArrayList<>();
            List<String> seqCategories = new ArrayList<>();
            for (int item : seq) {
                seqItems.add(Integer.toString(item));
                seqCategories.add(category(itemCategory[item]));
            }
            users[u] = new MapRecord(Map.of("user_id", (long) u, "seq_items", String.join("|", seqItems),
                    "seq_categories", String.join("|", seqCategories)));
        }
        for (String hour : HOURS) {
            contexts.put(hour, new MapRecord(Map.of("hour", hour)));
        }
        this.train = rows(rnd, trainRows);
        this.test = rows(rnd, testRows);
    }

    static String category(int c) {
        return "c" + c;
    }

    /** The vocabulary of categories, for feature configs: ["c0", ..., "c11"]. */
    static String categoryVocab() {
        List<String> quoted = new ArrayList<>();
        for (int c = 0; c < CATEGORIES; c++) {
            quoted.add("\"" + category(c) + "\"");
        }
        return "[" + String.join(", ", quoted) + "]";
    }

    private List<Row> rows(SplittableRandom rnd, int n) {
        List<Row> out = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            int u = rnd.nextInt(USERS);
            int i = rnd.nextInt(ITEMS);
            String hour = HOURS.get(rnd.nextInt(HOURS.size()));
            double p = clickProbability(u, i, hour);
            boolean click = rnd.nextDouble() < p;
            boolean pref = preferred.get(u).contains(itemCategory[i]);
            double pConvert = sigmoid(-0.8 + 4 * (itemQuality[i] - 0.5) + (pref ? 0.8 : 0));
            boolean conversion = click && rnd.nextDouble() < pConvert;
            out.add(new Row(u, i, hour, click, conversion, p));
        }
        return out;
    }

    double clickProbability(int user, int item, String hour) {
        int c = itemCategory[item];
        boolean inHistory = history.get(user).stream().anyMatch(h -> itemCategory[h] == c);
        double logit = -2.0 + (inHistory ? 2.5 : 0) + (preferred.get(user).contains(c) ? 1.0 : 0)
                + 2.0 * (itemQuality[item] - 0.5) + (hour.equals("evening") ? 0.5 : 0);
        return sigmoid(logit);
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    public List<Row> trainRows() {
        return train;
    }

    public List<Row> testRows() {
        return test;
    }

    int itemCategory(int item) {
        return itemCategory[item];
    }

    /** Item categories seen in a user's history (for checks of the planted signal). */
    Set<Integer> historyCategories(int user) {
        Set<Integer> out = new LinkedHashSet<>();
        history.get(user).forEach(i -> out.add(itemCategory[i]));
        return out;
    }

    /** The raw user record, as a request would bring it. */
    public MapRecord user(int user) {
        return users[user];
    }

    public MapRecord item(int item) {
        return items[item];
    }

    /** The context record of an impression at that hour. */
    public MapRecord context(String hour) {
        return contexts.get(hour);
    }

    /** The rows through the feature jar, with labels "click" and "conversion" and the user as group key. */
    public Examples examples(FeatureGenerator generator, List<Row> rows) {
        ExamplesBuilder builder = new ExamplesBuilder(generator.schema(), LABELS);
        for (Row row : rows) {
            builder.add(generator.generate(users[row.user()], items[row.item()], contexts.get(row.hour())),
                    new float[][]{{row.click() ? 1f : 0f}, {row.conversion() ? 1f : 0f}}, new long[]{row.user()});
        }
        return builder.build();
    }
}
