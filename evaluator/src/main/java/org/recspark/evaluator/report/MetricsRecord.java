package org.recspark.evaluator.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One line of a run's metric history: the metrics measured at a training step.
 *
 * @param step the global training step (>= 0)
 * @param epoch the epoch the step belongs to (>= 0)
 * @param kind whether the metrics come from training batches or from an evaluation
 * @param timeMillis wall-clock time of the measurement, unix milliseconds
 * @param metrics metric name (for example {@code loss}, {@code auc}, or {@code <task>/<metric>} for
 *     multi-task models) to value, in insertion order; values may be NaN or infinite (a metric
 *     undefined on the data, a diverged loss)
 */
public record MetricsRecord(long step, int epoch, Kind kind, long timeMillis, Map<String, Double> metrics) {

    /** Where a record's metrics were measured; written as {@code "train"} or {@code "eval"}. */
    public enum Kind {
        TRAIN, EVAL;

        /** The name written in the history file. */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The kind written as {@code name}. */
        public static Kind fromJsonName(String name) {
            for (Kind k : values()) {
                if (k.jsonName().equals(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("kind must be \"train\" or \"eval\", got \"" + name + "\"");
        }
    }

    public MetricsRecord {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        if (kind == null) {
            throw new IllegalArgumentException("kind must be TRAIN or EVAL, got null");
        }
        if (timeMillis < 0) {
            throw new IllegalArgumentException("time_ms must be unix milliseconds >= 0, got " + timeMillis);
        }
        if (metrics == null) {
            throw new IllegalArgumentException("metrics must be a map (possibly empty), got null");
        }
        LinkedHashMap<String, Double> copy = new LinkedHashMap<>();
        metrics.forEach((name, value) -> {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("metric names must be non-empty, got " + (name == null ? "null" : "\"\""));
            }
            if (value == null) {
                throw new IllegalArgumentException("metric " + name + " must have a value (NaN when undefined), got null");
            }
            copy.put(name, value);
        });
        metrics = Collections.unmodifiableMap(copy);
    }
}
