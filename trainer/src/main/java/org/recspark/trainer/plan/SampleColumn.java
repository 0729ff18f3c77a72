package org.recspark.trainer.plan;

/**
 * A column training reads from the samples table, with the type it needs: a top-level column, or a
 * field of the {@value SampleSchema#FEATURES} struct (then its name is {@code features.<field>}).
 */
public record SampleColumn(String name, Type type) {

    /** The types training can read; {@link #description} is what a mismatch names as expected. */
    public enum Type {
        /** A label or the time: any number (build-samples writes labels as doubles). */
        NUMBER("a number"),
        /** A key or the day column, read as it is. */
        ANY("present"),
        /** A sparse feature's local ids. */
        ID_LIST("array<bigint>"),
        /** A dense feature's values, or a weighted sparse feature's weights. */
        FLOAT_LIST("array<float>");

        private final String description;

        Type(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }
}
