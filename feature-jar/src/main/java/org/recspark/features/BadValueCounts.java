package org.recspark.features;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bad raw values replaced by defaults, per feature, under {@code on_bad_value: COUNT_AND_DEFAULT}.
 * Thread-safe: one generator is shared by all threads of a process.
 */
public final class BadValueCounts {
    private final Map<String, LongAdder> counts = new LinkedHashMap<>();

    BadValueCounts(List<String> featureNames) {
        featureNames.forEach(name -> counts.put(name, new LongAdder()));
    }

    void increment(String feature) {
        counts.get(feature).increment();
    }

    public long count(String feature) {
        LongAdder adder = counts.get(feature);
        if (adder == null) {
            throw new IllegalArgumentException("no feature named '" + feature + "'");
        }
        return adder.sum();
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
