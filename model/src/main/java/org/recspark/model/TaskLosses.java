package org.recspark.model;

import java.util.ArrayList;
import java.util.List;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/** The default training objective: each task's loss on its label, times the task's weight, summed. */
public final class TaskLosses implements TrainingObjective {
    private final List<TaskSpec> tasks;

    public TaskLosses(List<TaskSpec> tasks) {
        this.tasks = List.copyOf(tasks);
    }

    @Override
    public Tensor loss(Pass pass, ModelOutput output, float scale) {
        Graph g = pass.graph();
        List<Tensor> terms = new ArrayList<>();
        for (TaskSpec task : tasks) {
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
}
