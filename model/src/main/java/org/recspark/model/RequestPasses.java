package org.recspark.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.recspark.features.FeatureSpec;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.data.RequestExamples;
import org.recspark.model.nn.Pass;
import org.recspark.model.nn.SplitInput;
import org.recspark.model.tensor.Tensor;
import org.recspark.model.tensor.Workspace;

/**
 * The two inference passes of a {@link RequestScoring} forward pass: one over the request-side
 * row, one over the items. Feature inputs come from the pass that holds the feature, so a
 * request-side embedding is looked up and pooled once and enters the model as one row.
 */
public final class RequestPasses {
    private final RequestExamples request;
    private final Pass shared;
    private final Pass items;
    private final Workspace workspace;
    /** Item-side sparse features' slots in their main tables, from {@link #deepInput}. */
    private final Map<Integer, int[]> itemSlots = new HashMap<>();

    /** Passes whose large outputs come from {@code workspace} (null: allocated). */
    public RequestPasses(RequestExamples request, Workspace workspace) {
        this.request = request;
        this.workspace = workspace;
        this.shared = Pass.inference(request.request(), workspace);
        this.items = Pass.inference(request.items(), workspace);
    }

    /** The pass over the items (N rows), where the model's per-item ops run. */
    public Pass items() {
        return items;
    }

    public int numItems() {
        return request.numItems();
    }

    /**
     * Where one feature's deep input sits in a {@link SplitInput}: in the shared row at
     * {@code column} when request-side, else at per-row column {@code column}.
     */
    public record Field(int feature, boolean shared, int column, int width) {}

    /** The deep input of some groups, split by side, and where each feature's columns are. */
    public record DeepInput(SplitInput input, List<Field> fields) {}

    /**
     * The deep input of the groups' features in group and feature order, the layout of
     * {@link FeatureGroups#deep} side by side: request-side features written once into the shared
     * row, item-side ones straight into the per-item matrix (no per-feature tensors to concatenate).
     */
    public DeepInput deepInput(FeatureGroups groups, List<Group> deep) {
        List<Field> fields = new ArrayList<>();
        List<Integer> itemColumns = new ArrayList<>();
        int width = 0;
        for (Group group : deep) {
            for (int f : group.features()) {
                FeatureSpec spec = groups.spec(f);
                int d = spec.sparse() ? spec.embeddingDim() : spec.denseDim();
                boolean s = request.shared(f);
                fields.add(new Field(f, s, s ? width : itemColumns.size(), d));
                if (!s) {
                    for (int j = 0; j < d; j++) {
                        itemColumns.add(width + j);
                    }
                }
                width += d;
            }
        }
        SplitInput input = SplitInput.zeros(width, numItems(), itemColumns.stream().mapToInt(Integer::intValue).toArray(), workspace);
        for (Field field : fields) {
            if (field.shared()) {
                groups.featureInto(shared, field.feature(), input.sharedRow(), width, field.column());
            } else {
                int[] slots = groups.featureInto(items, field.feature(), input.rowColumns().data(), input.stride(), field.column());
                if (slots != null) {
                    itemSlots.put(field.feature(), slots);
                }
            }
        }
        return new DeepInput(input, fields);
    }

    /**
     * The groups' first-order terms (N x 1): the request-side features' weights summed once and
     * added to the sum of each item's own. Item-side features this request's {@link #deepInput}
     * looked up find their first-order rows through the slots it found.
     */
    public Tensor firstOrder(FeatureGroups groups, List<Group> of) {
        int n = numItems();
        float sharedSum = 0;
        float[] y = new float[n];
        for (Group group : of) {
            for (int f : group.features()) {
                boolean s = request.shared(f);
                float[] w = groups.widePart(s ? shared : items, group, f, s ? null : itemSlots.get(f)).data();
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
