package org.recspark.trainer.model;

import java.util.ArrayList;
import java.util.List;
import org.recspark.trainer.data.RequestExamples;
import org.recspark.trainer.model.FeatureGroups.Group;
import org.recspark.trainer.nn.Pass;
import org.recspark.trainer.tensor.Tensor;

/**
 * The two inference passes of a {@link RequestScoring} forward pass: one over the request-side
 * row, one over the items. Feature inputs come from the pass that holds the feature, so a
 * request-side embedding is looked up and pooled once and enters the model as one row.
 */
public final class RequestPasses {
    private final RequestExamples request;
    private final Pass shared;
    private final Pass items;

    public RequestPasses(RequestExamples request) {
        this.request = request;
        this.shared = Pass.inference(request.request());
        this.items = Pass.inference(request.items());
    }

    /** The pass over the items (N rows), where the model's per-item ops run. */
    public Pass items() {
        return items;
    }

    public int numItems() {
        return request.numItems();
    }

    /**
     * A model input split by side: per feature in group order, its deep input (1 x d when
     * request-side, N x d otherwise), for {@code Mlp.forwardSplit}.
     */
    public record Blocks(List<Tensor> tensors, boolean[] shared, int[] features) {}

    /** The deep inputs of the groups' features, in group and feature order. */
    public Blocks deepBlocks(FeatureGroups groups, List<Group> deep) {
        List<Tensor> tensors = new ArrayList<>();
        List<Integer> features = new ArrayList<>();
        for (Group group : deep) {
            for (int f : group.features()) {
                tensors.add(groups.feature(request.shared(f) ? shared : items, f));
                features.add(f);
            }
        }
        int[] f = features.stream().mapToInt(Integer::intValue).toArray();
        boolean[] s = new boolean[f.length];
        for (int b = 0; b < f.length; b++) {
            s[b] = request.shared(f[b]);
        }
        return new Blocks(tensors, s, f);
    }

    /**
     * The groups' first-order terms (N x 1): the request-side features' weights summed once and
     * added to the sum of each item's own.
     */
    public Tensor firstOrder(FeatureGroups groups, List<Group> of) {
        int n = numItems();
        float sharedSum = 0;
        float[] y = new float[n];
        for (Group group : of) {
            for (int f : group.features()) {
                boolean s = request.shared(f);
                float[] w = groups.widePart(s ? shared : items, group, f).data();
                if (s) {
                    sharedSum += w[0];
                } else {
                    for (int r = 0; r < n; r++) {
                        y[r] += w[r];
                    }
                }
            }
        }
        if (sharedSum != 0) {
            for (int r = 0; r < n; r++) {
                y[r] += sharedSum;
            }
        }
        return Tensor.constant(n, 1, y);
    }
}
