package org.recspark.model.zoo;

import java.util.List;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.TaskSpec;
import org.recspark.model.tensor.Tensor;

/**
 * What the one-output models share: their single task (model_config.label and loss, or the input's
 * only label), resolved before the subclass builds its layers, and the output keyed by it.
 */
public abstract class SingleTaskModel implements Model {
    private final TaskSpec task;

    protected SingleTaskModel(ModelContext context) {
        this.task = context.singleTask();
    }

    @Override
    public final List<TaskSpec> tasks() {
        return List.of(task);
    }

    protected final TaskSpec task() {
        return task;
    }

    /** The model's output: the task's logit (B x 1), to which a subclass may add extra tensors. */
    protected final ModelOutput output(Tensor logit) {
        return new ModelOutput().put(task.name(), logit);
    }
}
