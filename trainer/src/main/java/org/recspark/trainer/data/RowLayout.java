package org.recspark.trainer.data;

import java.util.List;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;

/**
 * Where a row's values sit in a {@link PackedRow}: the ids of the sparse features one after another
 * (in the schema's order, each feature a slot), the floats of the dense features one after another,
 * and the labels in the given order. Immutable.
 */
public final class RowLayout {
    private final FeatureSchema schema;
    private final List<String> labels;
    private final int[] position;
    private final int sparseFeatures;
    private final int denseWidth;
    private final boolean weighted;

    public RowLayout(FeatureSchema schema, List<String> labels) {
        this.schema = schema;
        this.labels = List.copyOf(labels);
        List<FeatureSpec> specs = schema.features();
        position = new int[specs.size()];
        int sparse = 0;
        int dense = 0;
        boolean anyWeighted = false;
        for (int f = 0; f < specs.size(); f++) {
            FeatureSpec spec = specs.get(f);
            if (spec.sparse()) {
                position[f] = sparse++;
                anyWeighted |= spec.weighted();
            } else {
                position[f] = dense;
                dense += spec.denseDim();
            }
        }
        this.sparseFeatures = sparse;
        this.denseWidth = dense;
        this.weighted = anyWeighted;
    }

    public FeatureSchema schema() {
        return schema;
    }

    public List<String> labels() {
        return labels;
    }

    /** The sparse feature's slot among the sparse features, or the dense feature's first float. */
    int position(int feature) {
        return position[feature];
    }

    int sparseFeatures() {
        return sparseFeatures;
    }

    int denseWidth() {
        return denseWidth;
    }

    /** Whether some feature carries weights (then every packed row has a weight per id). */
    boolean weighted() {
        return weighted;
    }
}
