package org.recspark.hpo.space;

import java.util.List;
import java.util.random.RandomGenerator;

/** A field that takes one of a list of values, each in text format ({@code "RELU"}, {@code "[64, 32]"}). */
public record CategoricalDimension(String path, List<String> values) implements Dimension {
    public CategoricalDimension {
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException(path + ": no choices");
        }
    }

    public int size() {
        return values.size();
    }

    @Override
    public double sample(RandomGenerator random) {
        return random.nextInt(values.size());
    }

    @Override
    public String text(double value) {
        return values.get((int) value);
    }

    @Override
    public double parse(String text) {
        int index = values.indexOf(text);
        if (index < 0) {
            throw new IllegalArgumentException(path + ": '" + text + "' is not one of the choices " + values);
        }
        return index;
    }
}
