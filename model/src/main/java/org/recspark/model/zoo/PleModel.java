package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.PLE;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.TaskSpec;
import org.recspark.model.nn.Linear;
import org.recspark.model.nn.Mlp;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;

/**
 * PLE: levels of customized gate control. At each level every task has its own experts and all tasks
 * share some; a task's gate mixes its experts and the shared ones, and (below the last level) a
 * shared gate mixes all experts for the next level's shared input. Task towers sit on the last level.
 */
public final class PleModel extends MultiTaskModel {
    private final List<Level> levels = new ArrayList<>();
    private final List<TaskHead> heads = new ArrayList<>();

    private record Level(List<List<Mlp>> taskExperts, List<Mlp> sharedExperts, List<Linear> taskGates, Linear sharedGate) {}

    public PleModel(ModelContext context) {
        super(context);
        PLE config = context.modelConfig().getPle();
        ModelParameters params = context.parameters();
        int in = inputDim();
        int tasks = config.getTasksCount();
        int perTask = config.getNumTaskExperts();
        int shared = config.getNumSharedExperts();
        int expertDim = in;
        for (int l = 0; l < config.getNumLevels(); l++) {
            String prefix = "ple/level" + l;
            List<List<Mlp>> taskExperts = new ArrayList<>();
            List<Linear> taskGates = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                String task = config.getTasks(t).getName();
                taskExperts.add(Experts.build(params, prefix + "/" + task + "/expert", perTask, in, config.getExpert()));
                taskGates.add(new Linear(params, prefix + "/" + task + "/gate", in, perTask + shared, true));
            }
            List<Mlp> sharedExperts = Experts.build(params, prefix + "/shared/expert", shared, in, config.getExpert());
            boolean last = l == config.getNumLevels() - 1;
            Linear sharedGate = last ? null : new Linear(params, prefix + "/shared/gate", in, tasks * perTask + shared, true);
            levels.add(new Level(taskExperts, sharedExperts, taskGates, sharedGate));
            expertDim = sharedExperts.get(0).outputDim();
            in = expertDim;
        }
        for (int t = 0; t < tasks; t++) {
            heads.add(new TaskHead(params, "ple/task", config.getTasks(t), expertDim));
        }
    }

    @Override
    public List<TaskSpec> tasks() {
        return heads.stream().map(TaskHead::spec).toList();
    }

    @Override
    public ModelOutput forward(Pass pass) {
        Tensor input = sharedInput(pass);
        List<Tensor> taskInputs = new ArrayList<>();
        for (int t = 0; t < heads.size(); t++) {
            taskInputs.add(input);
        }
        Tensor sharedInput = input;
        for (Level level : levels) {
            List<Tensor> sharedOutputs = new ArrayList<>();
            for (Mlp e : level.sharedExperts()) {
                sharedOutputs.add(e.forward(pass, sharedInput));
            }
            List<Tensor> allOutputs = new ArrayList<>();
            List<Tensor> nextTaskInputs = new ArrayList<>();
            for (int t = 0; t < heads.size(); t++) {
                List<Tensor> mine = new ArrayList<>();
                for (Mlp e : level.taskExperts().get(t)) {
                    mine.add(e.forward(pass, taskInputs.get(t)));
                }
                allOutputs.addAll(mine);
                List<Tensor> candidates = new ArrayList<>(mine);
                candidates.addAll(sharedOutputs);
                nextTaskInputs.add(Experts.mix(pass, level.taskGates().get(t), taskInputs.get(t), candidates));
            }
            if (level.sharedGate() != null) {
                allOutputs.addAll(sharedOutputs);
                sharedInput = Experts.mix(pass, level.sharedGate(), sharedInput, allOutputs);
            }
            taskInputs = nextTaskInputs;
        }
        ModelOutput output = new ModelOutput();
        for (int t = 0; t < heads.size(); t++) {
            TaskHead head = heads.get(t);
            output.put(head.spec().name(), head.output(pass, head.hidden(pass, taskInputs.get(t))));
        }
        return output;
    }
}
