package org.recspark.config.feature;

import java.util.List;
import org.recspark.config.ConfigPaths;
import org.recspark.config.Violation;
import org.recspark.config.proto.Normalizer;

/** Rules that several feature types share: separators, bucket boundaries, normalizers. */
final class FeatureChecks {
    private FeatureChecks() {}

    static void nonEmptySeparator(String separator, String path, List<Violation> out) {
        if (separator.isEmpty()) {
            out.add(new Violation(path, "must not be empty"));
        }
    }

    static void increasing(List<Double> boundaries, String path, List<Violation> out) {
        for (int k = 1; k < boundaries.size(); k++) {
            if (!(boundaries.get(k) > boundaries.get(k - 1))) {
                out.add(new Violation(path + "[" + k + "]", "boundaries must be strictly increasing, got "
                        + ConfigPaths.number(boundaries.get(k)) + " after " + ConfigPaths.number(boundaries.get(k - 1))));
            }
        }
    }

    static void normalizer(boolean present, Normalizer normalizer, String path, List<Violation> out) {
        if (!present) {
            return;
        }
        switch (normalizer.getKindCase()) {
            case KIND_NOT_SET -> out.add(new Violation(path, "no normalizer set: expected one of log, zscore, minmax"));
            case MINMAX -> {
                var minmax = normalizer.getMinmax();
                if (!(minmax.getMax() > minmax.getMin())) {
                    out.add(new Violation(path + ".minmax.max", "must be > min (" + ConfigPaths.number(minmax.getMin())
                            + "), got " + ConfigPaths.number(minmax.getMax())));
                }
            }
            case LOG, ZSCORE -> { }
        }
    }
}
