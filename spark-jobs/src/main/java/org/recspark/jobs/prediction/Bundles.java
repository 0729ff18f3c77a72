package org.recspark.jobs.prediction;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.recspark.predictor.Predictor;
import org.recspark.storage.Locations;

/**
 * Export bundles as executors see them: loaded where they are (a local path or a Hadoop URI such
 * as hdfs:// or s3a://, read through {@link Locations}), without a local copy. One predictor per
 * bundle and JVM, shared by the tasks that run there (it is thread-safe).
 */
public final class Bundles {
    private static final Map<String, Predictor> LOADED = new ConcurrentHashMap<>();

    private Bundles() {
    }

    public static Predictor predictor(String bundle) {
        return LOADED.computeIfAbsent(bundle, b -> Predictor.load(Locations.of(b)));
    }
}
