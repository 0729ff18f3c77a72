package org.recspark.model.zoo;

import org.recspark.config.proto.TaskTower;
import org.recspark.model.Model;
import org.recspark.model.TaskSpec;
import org.recspark.model.nn.Linear;
import org.recspark.model.nn.Mlp;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;

/** A task of a multi-task model: an optional tower MLP and a linear output to one logit or value. */
final class TaskHead {
    private final TaskSpec spec;
    private final Mlp tower;
    private final Linear out;

    TaskHead(ModelParameters params, String prefix, TaskTower config, int inputDim) {
        this.spec = new TaskSpec(config.getName(), config.getLabel(), config.getLoss(), config.getWeight(), Model.kindOf(config.getLoss()));
        String name = prefix + "/" + config.getName();
        this.tower = config.hasTower() ? new Mlp(params, name + "/tower", inputDim, config.getTower()) : null;
        this.out = new Linear(params, name + "/output", tower == null ? inputDim : tower.outputDim(), 1, true);
    }

    TaskSpec spec() {
        return spec;
    }

    /** The tower's last hidden layer (the input itself without a tower). */
    Tensor hidden(Pass pass, Tensor input) {
        return tower == null ? input : tower.forward(pass, input);
    }

    int hiddenDim(int inputDim) {
        return tower == null ? inputDim : tower.outputDim();
    }

    Tensor output(Pass pass, Tensor hidden) {
        return out.forward(pass, hidden);
    }
}
