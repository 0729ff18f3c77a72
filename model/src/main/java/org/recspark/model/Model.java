package org.recspark.model;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.LossType;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * A trainable model: structure in {@link #forward}, the loss in {@link #loss}. Data, features,
 * training, evaluation and export are shared by every model. A custom model implements this
 * interface with a public constructor taking a {@link ModelContext} (where it creates its parameters
 * and reads its feature groups and {@code params}) and is named in the config's {@code custom} model.
 */
public interface Model {
    /** What the model predicts; at least one task. */
    List<TaskSpec> tasks();

    ModelOutput forward(Pass pass);

    /**
     * Called once per training step with the whole batch, before the shards' passes and on one
     * thread: for state that follows the data (DSSM's item frequency estimates). Does nothing by
     * default.
     */
    default void beforeStep(Examples batch, long step) {
    }

    /**
     * The loss of a batch shard, as a 1 x 1 tensor: per-row losses summed and multiplied by
     * {@code scale} (1 / global batch size), so shard gradients add up to the batch mean's gradient.
     * The default sums each task's loss times its weight.
     */
    default Tensor loss(Pass pass, ModelOutput output, float scale) {
        Graph g = pass.graph();
        List<Tensor> terms = new ArrayList<>();
        for (TaskSpec task : tasks()) {
            Tensor out = output.task(task.name());
            float[] labels = pass.batch().label(task.label());
            float s = scale * task.weight();
            terms.add(switch (task.loss()) {
                case BINARY_CROSS_ENTROPY -> task.kind() == TaskSpec.OutputKind.PROBABILITY
                        ? g.binaryCrossEntropy(out, labels, s) : g.binaryCrossEntropyWithLogits(out, labels, s);
                case MEAN_SQUARED_ERROR -> g.squaredError(out, labels, s);
                case SOFTMAX_CROSS_ENTROPY -> throw new IllegalStateException("task '" + task.name()
                        + "': softmax cross-entropy needs a model that defines its classes (DSSM)");
            });
        }
        return g.sum(terms);
    }

    /** The loss a single-output task defaults to for a label. */
    static TaskSpec.OutputKind kindOf(LossType loss) {
        return loss == LossType.MEAN_SQUARED_ERROR ? TaskSpec.OutputKind.VALUE : TaskSpec.OutputKind.LOGIT;
    }
}
