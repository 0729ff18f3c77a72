package org.recspark.trainer.plan;

/**
 * One piece of state a planned model trains, as its shape only. A dense parameter or buffer holds
 * {@code rows x cols} floats from the start; an embedding table grows a row of {@code cols} floats
 * per id it meets, so {@code rows} is its id space, the most rows it can reach.
 */
public record ParameterShape(String name, Kind kind, long rows, int cols) {

    /** What the state is. */
    public enum Kind { WEIGHT, BUFFER, EMBEDDING_TABLE }

    /** Floats at full size ({@code rows * cols}); a table reaches it only when every id is met. */
    public long count() {
        return rows * cols;
    }

    @Override
    public String toString() {
        return name + " " + kind.name().toLowerCase(java.util.Locale.ROOT) + " [" + rows + ", " + cols + "]";
    }
}
