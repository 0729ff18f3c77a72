package org.recspark.trainer.model;

import java.util.List;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.GroupType;
import org.recspark.model.FeatureGroups;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.TaskLosses;
import org.recspark.model.TaskSpec;
import org.recspark.model.TrainingObjective;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.Linear;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * A user-written model as the custom model config names it: the DEEP groups' inputs through one
 * hidden layer whose width is the {@code hidden} param (required), then a logit for the single task.
 * Its training objective is the tasks' losses as for built-in models; it counts {@link #beforeStep} calls.
 */
public final class HiddenLayerCustomModel implements Model, TrainingObjective {
    private final FeatureGroups groups;
    private final List<Group> deep;
    private final int hidden;
    private final Linear layer;
    private final Linear out;
    private final TaskSpec task;
    private long beforeStepCalls;

    public HiddenLayerCustomModel(ModelContext context) {
        String value = context.params().get("hidden");
        try {
            this.hidden = Integer.parseInt(value == null ? "" : value);
        } catch (NumberFormatException e) {
            throw new ConfigException(List.of(new Violation("model_config.custom.params.hidden",
                    "needs a positive integer, got '" + value + "'")));
        }
        this.groups = context.groups();
        this.deep = groups.ofType(GroupType.DEEP);
        int in = 0;
        for (Group g : deep) {
            in += groups.deepDim(g);
        }
        this.layer = new Linear(context.parameters(), "custom/hidden", in, hidden, true);
        this.out = new Linear(context.parameters(), "custom/output", hidden, 1, true);
        this.task = context.singleTask();
    }

    int hidden() {
        return hidden;
    }

    long beforeStepCalls() {
        return beforeStepCalls;
    }

    @Override
    public List<TaskSpec> tasks() {
        return List.of(task);
    }

    @Override
    public void beforeStep(Examples batch, long step) {
        beforeStepCalls++;
    }

    @Override
    public Tensor loss(Pass pass, ModelOutput output, float scale) {
        return new TaskLosses(tasks()).loss(pass, output, scale);
    }

    @Override
    public ModelOutput forward(Pass pass) {
        Graph g = pass.graph();
        Tensor x = g.concat(deep.stream().map(group -> groups.deep(pass, group)).toList());
        return new ModelOutput().put(task.name(), out.forward(pass, g.relu(layer.forward(pass, x))));
    }
}
