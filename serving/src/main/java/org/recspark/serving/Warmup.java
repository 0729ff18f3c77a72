package org.recspark.serving;

import java.util.ArrayList;
import java.util.List;
import org.recspark.features.RawRecord;
import org.recspark.predictor.Predictor;

/**
 * Scores a few requests with a freshly loaded model before it serves: the JIT compiles the scoring
 * path and each scoring thread's arrays get allocated, so the first real requests are not the slow
 * ones. Also the last check of a bundle: a model whose scores are not finite is refused.
 */
final class Warmup {
    private static final int ITEMS = 200;

    private Warmup() {
    }

    /** @throws IllegalStateException when a score is NaN or infinite */
    static void run(Predictor predictor, ItemCatalog catalog, int requests) {
        List<RawRecord> items = new ArrayList<>(ITEMS);
        for (RawRecord item : catalog.items()) {
            if (items.size() == ITEMS) {
                break;
            }
            items.add(item);
        }
        while (items.size() < ITEMS) {
            items.add(RawRecord.EMPTY);
        }
        for (int r = 0; r < Math.max(1, requests); r++) {
            Predictor.Scores scores = predictor.predict(RawRecord.EMPTY, items, RawRecord.EMPTY);
            scores.byTask().forEach((task, values) -> {
                for (int i = 0; i < values.length; i++) {
                    if (!Float.isFinite(values[i])) {
                        throw new IllegalStateException("warm-up: task '" + task + "' scores " + values[i] + " for item " + i
                                + " of a request of empty user and context records: the bundle is refused");
                    }
                }
            });
        }
    }
}
