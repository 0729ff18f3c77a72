package org.recspark.features;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Event counts per feature since the generator was compiled: bad raw values replaced by defaults
 * (under {@code on_bad_value: COUNT_AND_DEFAULT}), or crosses cut by a combo's max_crosses.
 * Thread-safe: one generator is shared by all threads of a process.
 */
public final class FeatureCounts {
    private final Map<String, LongAdder> counts = new LinkedHashMap<>();

    FeatureCounts(List<String> featureNames) {
        featureNames.forEach(name -> counts.put(name, new LongAdder()));
    }

    /** The live counter of one feature, for a transform to add to. */
    LongAdder counter(String feature) {
        LongAdder adder = counts.get(feature);
        if (adder == null) {
            throw new IllegalArgumentException("no feature named '" + feature + "'");
        }
        return adder;
    }

    public long count(String feature) {
        return counter(feature).sum();
    }

    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** A snapshot of the non-zero counts, in feature order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> snapshot = new LinkedHashMap<>();
        counts.forEach((name, adder) -> {
            long n = adder.sum();
            if (n > 0) {
                snapshot.put(name, n);
            }
        });
        return snapshot;
    }
}
