package org.recspark.model.zoo;

import java.util.List;
import org.recspark.model.FeatureGroups;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelTypes;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;

/**
 * What the multi-task models share: one input for all tasks, the concatenation of every DEEP group
 * (at least one is required), which their experts, bottoms and towers take. The tasks come from the
 * model's task towers, in the subclass's order.
 */
public abstract class MultiTaskModel implements Model {
    private final FeatureGroups groups;
    private final List<Group> deep;
    private final int inputDim;

    protected MultiTaskModel(ModelContext context) {
        this.groups = context.groups();
        String path = "model_config." + ModelTypes.of(context.modelConfig().getModelCase()).name();
        this.deep = Heads.deepGroups(groups, List.of(), path);
        this.inputDim = Heads.deepDim(groups, deep);
    }

    /** Columns of {@link #sharedInput}. */
    protected final int inputDim() {
        return inputDim;
    }

    /** The DEEP groups' inputs side by side: B x {@link #inputDim}. */
    protected final Tensor sharedInput(Pass pass) {
        return Heads.deepInput(pass, groups, deep);
    }
}
