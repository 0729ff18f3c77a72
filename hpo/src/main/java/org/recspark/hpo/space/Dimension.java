package org.recspark.hpo.space;

import java.util.random.RandomGenerator;

/**
 * One searched config field and the values it may take. A value is held as a double: the index of
 * a choice, an integer, or a float; {@link #text} turns it into the text the config field is set
 * to, and {@link #parse} reads that text back (the trial log stores text). Immutable.
 */
public sealed interface Dimension permits CategoricalDimension, NumericDimension {
    /** The config field path, e.g. {@code model_config.deepfm.dnn.dropout}. */
    String path();

    /** A value drawn uniformly (log-uniformly on a log scale). */
    double sample(RandomGenerator random);

    /** The value as the text the config field is set to. */
    String text(double value);

    /** The value that {@link #text} printed; throws {@link IllegalArgumentException} for text this dimension cannot produce. */
    double parse(String text);
}
