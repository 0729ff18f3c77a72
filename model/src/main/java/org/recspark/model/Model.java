package org.recspark.model;

import java.util.List;
import org.recspark.config.proto.LossType;
import org.recspark.model.nn.Pass;

/**
 * A model as scoring sees it: its tasks and its forward pass. What training minimises is apart, in
 * {@link TrainingObjective}: a model with an objective of its own implements that interface too,
 * the others train on the sum of their tasks' losses ({@link TaskLosses}). A custom model
 * implements this interface with a public constructor taking a {@link ModelContext} (where it
 * creates its parameters and reads its feature groups and {@code params}) and is named in the
 * config's {@code custom} model.
 */
public interface Model {
    /** What the model predicts; at least one task. */
    List<TaskSpec> tasks();

    ModelOutput forward(Pass pass);

    /** The loss a single-output task defaults to for a label. */
    static TaskSpec.OutputKind kindOf(LossType loss) {
        return loss == LossType.MEAN_SQUARED_ERROR ? TaskSpec.OutputKind.VALUE : TaskSpec.OutputKind.LOGIT;
    }
}
