package org.recspark.trainer.data;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.MapRecord;
import org.recspark.sampledata.FrappeLibFm;
import org.recspark.sampledata.LibFmRow;
import org.recspark.sampledata.MovieLens100k;

/**
 * The shared real datasets as training and test examples, run through the feature jar from raw
 * records with the tasks and splits of ../shared/bench/deepfm_reference.py, so accuracy is comparable:
 * <ul>
 *   <li>MovieLens-100K: label "rating" = rating >= 4; the last 20% of ratings by time are the test set.
 *   User record fields user_id, gender, age, occupation, zip3 (first 3 characters of the zip code);
 *   item record fields item_id, genres ("|"-joined names); group key = user id.</li>
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
        return new TrainTest(movieLensExamples(split.train(), users, items, generator),
                movieLensExamples(split.test(), users, items, generator));
    }

    private static Examples movieLensExamples(List<MovieLens100k.Rating> ratings, Map<Integer, MapRecord> users,
                                              Map<Integer, MapRecord> items, FeatureGenerator generator) {
        ExamplesBuilder builder = new ExamplesBuilder(generator.schema(), List.of("rating"));
        MapRecord context = new MapRecord(Map.of());
        for (MovieLens100k.Rating r : ratings) {
            builder.add(generator.generate(users.get(r.userId()), items.get(r.itemId()), context),
                    new float[][]{{r.rating() >= 4 ? 1f : 0f}}, new long[]{r.userId()});
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
