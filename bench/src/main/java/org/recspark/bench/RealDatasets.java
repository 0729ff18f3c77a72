package org.recspark.bench;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.MapRecord;
import org.recspark.model.data.Examples;
import org.recspark.model.data.ExamplesBuilder;
import org.recspark.sampledata.FrappeLibFm;
import org.recspark.sampledata.LibFmRow;
import org.recspark.sampledata.MovieLens100k;

/**
 * The shared real datasets as training and test examples, run through the feature jar from raw
 * records with the tasks and splits of ../shared/bench/deepfm_reference.py, so accuracy is comparable:
 * <ul>
 *   <li>MovieLens-100K: labels "rating" = rating >= 4 and "love" = rating >= 5; the last 20% of
 *   ratings by time are the test set. User record fields user_id, gender, age, occupation, zip3
 *   (first 3 characters of the zip code); item record fields item_id, genres ("|"-joined names);
 *   context field hist_item_ids: the user's last 50 rated items strictly before the rating's time,
 *   most recent first ("|"-joined), for sequence models; group key = user id.</li>
 *   <li>Frappe: train on frappe.validation.libfm, test on frappe.test.libfm; label "click" (libFM
 *   label > 0); the 10 one-hot fields as their global libFM indices: user fields user; item fields
 *   item; context fields daytime, weekday, isweekend, homework, cost, weather, country, city; group key
 *   = the user's index.</li>
 * </ul>
 */
public final class RealDatasets {
    /** Frappe's libFM fields in file order. */
    public static final List<String> FRAPPE_FIELDS = List.of("user", "item", "daytime", "weekday", "isweekend", "homework",
            "cost", "weather", "country", "city");

    private static final int HISTORY = 50;

    private RealDatasets() {
    }

    public record TrainTest(Examples train, Examples test) {}

    public static TrainTest movieLens(Path dir, FeatureGenerator generator) {
        MovieLens100k data = MovieLens100k.read(dir);
        MovieLens100k.Split split = data.timeOrderedSplit(0.2);
        Map<Integer, MapRecord> users = new HashMap<>();
        data.users().forEach((id, u) -> users.put(id, new MapRecord(Map.of("user_id", String.valueOf(id), "gender", u.gender(),
                "age", (long) u.age(), "occupation", u.occupation(), "zip3", u.zip().length() >= 3 ? u.zip().substring(0, 3) : u.zip()))));
        Map<Integer, MapRecord> items = new HashMap<>();
        data.movies().forEach((id, m) -> items.put(id, new MapRecord(Map.of("item_id", String.valueOf(id),
                "genres", String.join("|", m.genres())))));
        List<MovieLens100k.Rating> all = new ArrayList<>(split.train());
        all.addAll(split.test());
        Map<MovieLens100k.Rating, String> histories = histories(all);
        return new TrainTest(movieLensExamples(split.train(), users, items, histories, generator),
                movieLensExamples(split.test(), users, items, histories, generator));
    }

    /** Per rating, the user's previous items (strictly earlier timestamps), most recent first. */
    private static Map<MovieLens100k.Rating, String> histories(List<MovieLens100k.Rating> byTime) {
        Map<MovieLens100k.Rating, String> out = new IdentityHashMap<>();
        Map<Integer, ArrayDeque<MovieLens100k.Rating>> recent = new HashMap<>();
        for (MovieLens100k.Rating r : byTime) {
            ArrayDeque<MovieLens100k.Rating> seen = recent.computeIfAbsent(r.userId(), k -> new ArrayDeque<>());
            StringBuilder hist = new StringBuilder();
            for (MovieLens100k.Rating p : seen) {
                if (p.timestamp() < r.timestamp()) {
                    if (!hist.isEmpty()) {
                        hist.append('|');
                    }
                    hist.append(p.itemId());
                }
            }
            out.put(r, hist.toString());
            seen.addFirst(r);
            while (seen.size() > HISTORY + 1) {
                seen.removeLast();
            }
        }
        return out;
    }

    private static Examples movieLensExamples(List<MovieLens100k.Rating> ratings, Map<Integer, MapRecord> users,
                                              Map<Integer, MapRecord> items, Map<MovieLens100k.Rating, String> histories,
                                              FeatureGenerator generator) {
        ExamplesBuilder builder = new ExamplesBuilder(generator.schema(), List.of("rating", "love"));
        for (MovieLens100k.Rating r : ratings) {
            MapRecord context = new MapRecord(Map.of("hist_item_ids", histories.get(r)));
            builder.add(generator.generate(users.get(r.userId()), items.get(r.itemId()), context),
                    new float[][]{{r.rating() >= 4 ? 1f : 0f}, {r.rating() >= 5 ? 1f : 0f}}, new long[]{r.userId()});
        }
        return builder.build();
    }

    public static TrainTest frappe(Path dir, FeatureGenerator generator) {
        return new TrainTest(frappeExamples(FrappeLibFm.train(dir), generator), frappeExamples(FrappeLibFm.test(dir), generator));
    }

    private static Examples frappeExamples(List<LibFmRow> rows, FeatureGenerator generator) {
        ExamplesBuilder builder = new ExamplesBuilder(generator.schema(), List.of("click"));
        for (LibFmRow row : rows) {
            int[] idx = row.indices();
            Map<String, Object> context = new HashMap<>();
            for (int f = 2; f < FRAPPE_FIELDS.size(); f++) {
                context.put(FRAPPE_FIELDS.get(f), String.valueOf(idx[f]));
            }
            builder.add(generator.generate(new MapRecord(Map.of("user", String.valueOf(idx[0]))),
                            new MapRecord(Map.of("item", String.valueOf(idx[1]))), new MapRecord(context)),
                    new float[][]{{row.label() > 0 ? 1f : 0f}}, new long[]{idx[0]});
        }
        return builder.build();
    }
}
