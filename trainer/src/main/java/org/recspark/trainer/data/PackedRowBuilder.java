package org.recspark.trainer.data;

import java.util.Arrays;
import org.recspark.features.FeatureSpec;

/**
 * Collects one row's values in any order (a feature's ids, its weights, the components of a dense
 * feature, labels, the group key) and packs them into a {@link PackedRow}; reused row after row.
 * Not thread-safe.
 */
public final class PackedRowBuilder {
    private final RowLayout layout;
    private final long[][] ids;
    private final int[] idCount;
    private final float[][] weights;
    private final int[] weightCount;
    private final float[] dense;
    private final int[] denseCount;
    private final float[] labels;
    private final boolean[] labelSet;
    private long groupKey;

    public PackedRowBuilder(RowLayout layout) {
        this.layout = layout;
        int n = layout.schema().size();
        ids = new long[n][];
        idCount = new int[n];
        weights = new float[n][];
        weightCount = new int[n];
        denseCount = new int[n];
        for (int f = 0; f < n; f++) {
            FeatureSpec spec = layout.schema().features().get(f);
            if (spec.sparse()) {
                ids[f] = new long[8];
                if (spec.weighted()) {
                    weights[f] = new float[8];
                }
            }
        }
        dense = new float[layout.denseWidth()];
        labels = new float[layout.labels().size()];
        labelSet = new boolean[labels.length];
    }

    public RowLayout layout() {
        return layout;
    }

    /** Appends an id to a sparse feature (by its index in the schema). */
    public void addId(int feature, long id) {
        if (idCount[feature] == ids[feature].length) {
            ids[feature] = Arrays.copyOf(ids[feature], ids[feature].length * 2);
        }
        ids[feature][idCount[feature]++] = id;
    }

    /** Appends the weight of the feature's next id (weighted features only). */
    public void addWeight(int feature, float weight) {
        if (weightCount[feature] == weights[feature].length) {
            weights[feature] = Arrays.copyOf(weights[feature], weights[feature].length * 2);
        }
        weights[feature][weightCount[feature]++] = weight;
    }

    /** Appends the next component of a dense feature. */
    public void addDense(int feature, float value) {
        int dim = layout.schema().features().get(feature).denseDim();
        if (denseCount[feature] < dim) {
            dense[layout.position(feature) + denseCount[feature]] = value;
        }
        denseCount[feature]++;
    }

    public void setLabel(int label, float value) {
        labels[label] = value;
        labelSet[label] = true;
    }

    public void setGroupKey(long key) {
        groupKey = key;
    }

    /** The group key set since the last reset (0 when none was). */
    public long groupKey() {
        return groupKey;
    }

    /** Forgets the values collected since the last row (a row that is not wanted). */
    public void reset() {
        Arrays.fill(idCount, 0);
        Arrays.fill(weightCount, 0);
        Arrays.fill(denseCount, 0);
        Arrays.fill(labelSet, false);
        groupKey = 0;
    }

    /**
     * The row collected since the last one; then starts the next.
     *
     * @throws IllegalArgumentException when a dense feature has another number of values than its
     *                                  dimension, a weighted feature has some weights but not one per id,
     *                                  or a label is missing
     */
    public PackedRow build() {
        var specs = layout.schema().features();
        int total = 0;
        for (int f = 0; f < specs.size(); f++) {
            FeatureSpec spec = specs.get(f);
            if (spec.sparse()) {
                total += idCount[f];
                if (spec.weighted() && weightCount[f] != 0 && weightCount[f] != idCount[f]) {
                    throw new IllegalArgumentException("feature '" + spec.name() + "' has " + weightCount[f] + " weights for "
                            + idCount[f] + " ids");
                }
            } else if (denseCount[f] != spec.denseDim()) {
                throw new IllegalArgumentException("feature '" + spec.name() + "' has " + denseCount[f] + " values, expected "
                        + spec.denseDim());
            }
        }
        for (int l = 0; l < labels.length; l++) {
            if (!labelSet[l]) {
                throw new IllegalArgumentException("label " + layout.labels().get(l) + " is missing in a sample row");
            }
        }
        long[] packedIds = new long[total];
        int[] offsets = new int[layout.sparseFeatures() + 1];
        float[] packedWeights = layout.weighted() ? new float[total] : null;
        int at = 0;
        for (int f = 0; f < specs.size(); f++) {
            FeatureSpec spec = specs.get(f);
            if (!spec.sparse()) {
                continue;
            }
            int n = idCount[f];
            System.arraycopy(ids[f], 0, packedIds, at, n);
            if (packedWeights != null) {
                if (spec.weighted() && weightCount[f] > 0) {
                    System.arraycopy(weights[f], 0, packedWeights, at, n);
                } else {
                    Arrays.fill(packedWeights, at, at + n, 1f);
                }
            }
            at += n;
            offsets[layout.position(f) + 1] = at;
        }
        PackedRow row = new PackedRow(packedIds, offsets, packedWeights, dense.clone(), labels.clone(), groupKey);
        reset();
        return row;
    }
}
