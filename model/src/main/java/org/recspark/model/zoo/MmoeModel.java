package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.MMoE;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.TaskSpec;
import org.recspark.model.nn.Linear;
import org.recspark.model.nn.Mlp;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;

/** MMoE: shared experts, one softmax gate per task mixing them, then the task's tower. */
public final class MmoeModel extends MultiTaskModel {
    private final List<Mlp> experts;
    private final List<Linear> gates = new ArrayList<>();
    private final List<TaskHead> heads = new ArrayList<>();

    public MmoeModel(ModelContext context) {
        super(context);
        MMoE config = context.modelConfig().getMmoe();
        int in = inputDim();
        this.experts = Experts.build(context.parameters(), "mmoe/expert", config.getNumExperts(), in, config.getExpert());
        int expertDim = experts.get(0).outputDim();
        for (var task : config.getTasksList()) {
            gates.add(new Linear(context.parameters(), "mmoe/gate/" + task.getName(), in, config.getNumExperts(), true));
            heads.add(new TaskHead(context.parameters(), "mmoe/task", task, expertDim));
        }
    }

    @Override
    public List<TaskSpec> tasks() {
        return heads.stream().map(TaskHead::spec).toList();
    }

    @Override
    public ModelOutput forward(Pass pass) {
        Tensor input = sharedInput(pass);
        List<Tensor> expertOutputs = new ArrayList<>();
        for (Mlp e : experts) {
            expertOutputs.add(e.forward(pass, input));
        }
        ModelOutput output = new ModelOutput();
        for (int t = 0; t < heads.size(); t++) {
            Tensor mixed = Experts.mix(pass, gates.get(t), input, expertOutputs);
            TaskHead head = heads.get(t);
            output.put(head.spec().name(), head.output(pass, head.hidden(pass, mixed)));
        }
        return output;
    }
}
