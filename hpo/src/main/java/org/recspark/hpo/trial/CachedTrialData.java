package org.recspark.hpo.trial;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.recspark.config.proto.PipelineConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a trial's rows once per distinct {@link FeatureDataKey} and hands the same rows to every
 * trial with that key. Trials that need rows being built wait for them instead of building them
 * again. Keeps the {@code capacity} most recently used row sets (rows in use by a running trial stay
 * alive until it ends); a failed build is not cached, so each trial that needs it reports the error.
 */
public final class CachedTrialData implements TrialDataSource {
    private static final Logger LOG = LoggerFactory.getLogger(CachedTrialData.class);

    private final Function<PipelineConfig, TrialData> build;
    private final Map<FeatureDataKey, CompletableFuture<TrialData>> cache;

    /**
     * @param build builds the rows for a config's feature config (only its feature_config may be read)
     */
    public CachedTrialData(Function<PipelineConfig, TrialData> build, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.build = build;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FeatureDataKey, CompletableFuture<TrialData>> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public TrialData forConfig(PipelineConfig config) {
        FeatureDataKey key = FeatureDataKey.of(config.getFeatureConfig());
        CompletableFuture<TrialData> future;
        boolean builder = false;
        synchronized (cache) {
            future = cache.get(key);
            if (future == null) {
                future = new CompletableFuture<>();
                cache.put(key, future);
                builder = true;
            }
        }
        if (builder) {
            try {
                LOG.info("Building rows for feature config {}", key.digest());
                future.complete(build.apply(config));
            } catch (RuntimeException e) {
                synchronized (cache) {
                    cache.remove(key, future);
                }
                future.completeExceptionally(e);
            }
        }
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }
}
