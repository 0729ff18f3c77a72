package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.recspark.config.Violation;
import org.recspark.config.proto.DBMTL;
import org.recspark.config.proto.TaskTower;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.ModelReferences;
import org.recspark.model.TaskSpec;
import org.recspark.model.nn.Mlp;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;

/**
 * DBMTL: a shared bottom MLP, then task towers in dependency order; a task's tower sees the bottom
 * output and the last hidden layers of the tasks it depends on (e.g. conversion depends on click).
 */
public final class DbmtlModel extends MultiTaskModel {
    private final Mlp bottom;
    private final List<TaskHead> order = new ArrayList<>();
    private final Map<String, List<String>> dependsOn = new HashMap<>();
    private final List<TaskSpec> specs;

    /** Each relation names tasks of the model, a task has at most one relation, and no task depends on itself through them. */
    public static List<Violation> check(ModelReferences refs) {
        List<Violation> out = new ArrayList<>();
        DBMTL config = refs.modelConfig().getDbmtl();
        Set<String> tasks = new HashSet<>();
        config.getTasksList().forEach(t -> tasks.add(t.getName()));
        Set<String> related = new HashSet<>();
        for (int r = 0; r < config.getRelationsCount(); r++) {
            DBMTL.Relation rel = config.getRelations(r);
            String path = "model_config.dbmtl.relations[" + r + "]";
            if (!tasks.contains(rel.getTask())) {
                out.add(new Violation(path + ".task", "no task named '" + rel.getTask() + "'"));
            }
            for (String dep : rel.getDependsOnList()) {
                if (!tasks.contains(dep)) {
                    out.add(new Violation(path + ".depends_on", "no task named '" + dep + "'"));
                }
            }
            if (!related.add(rel.getTask())) {
                out.add(new Violation(path + ".task", "task '" + rel.getTask() + "' has more than one relation; list all its dependencies in one"));
            }
        }
        if (out.isEmpty()) {
            Map<String, List<String>> dependsOn = new HashMap<>();
            config.getRelationsList().forEach(rel -> dependsOn.put(rel.getTask(), rel.getDependsOnList()));
            Set<String> done = new HashSet<>();
            for (TaskTower task : config.getTasksList()) {
                String cycle = cycleFrom(task.getName(), dependsOn, done, new ArrayList<>());
                if (cycle != null) {
                    out.add(new Violation("model_config.dbmtl.relations", "tasks depend on each other in a cycle: " + cycle));
                    break;
                }
            }
        }
        return out;
    }

    /** The first dependency cycle reached from a task, depth-first in relation order (as the heads are placed), or null. */
    private static String cycleFrom(String name, Map<String, List<String>> dependsOn, Set<String> done, List<String> visiting) {
        if (done.contains(name)) {
            return null;
        }
        if (visiting.contains(name)) {
            return String.join(" -> ", visiting) + " -> " + name;
        }
        visiting.add(name);
        for (String dep : dependsOn.getOrDefault(name, List.of())) {
            String cycle = cycleFrom(dep, dependsOn, done, visiting);
            if (cycle != null) {
                return cycle;
            }
        }
        visiting.remove(name);
        done.add(name);
        return null;
    }

    public DbmtlModel(ModelContext context) {
        super(context);
        DBMTL config = context.modelConfig().getDbmtl();
        int in = inputDim();
        this.bottom = config.hasBottom() ? new Mlp(context.parameters(), "dbmtl/bottom", in, config.getBottom()) : null;
        int bottomDim = bottom == null ? in : bottom.outputDim();
        Map<String, TaskTower> towers = new LinkedHashMap<>();
        for (TaskTower t : config.getTasksList()) {
            towers.put(t.getName(), t);
        }
        // check(...) has verified every relation's task names before the constructor runs.
        config.getRelationsList().forEach(rel -> dependsOn.put(rel.getTask(), rel.getDependsOnList()));
        Map<String, Integer> hiddenDims = new HashMap<>();
        List<String> visiting = new ArrayList<>();
        for (String name : towers.keySet()) {
            place(name, towers, hiddenDims, visiting, context, bottomDim);
        }
        Map<String, TaskSpec> byName = new HashMap<>();
        order.forEach(h -> byName.put(h.spec().name(), h.spec()));
        this.specs = towers.keySet().stream().map(byName::get).toList();
    }

    /** Builds a task's head after the heads it depends on (depth-first), rejecting cycles. */
    private void place(String name, Map<String, TaskTower> towers, Map<String, Integer> hiddenDims, List<String> visiting,
                       ModelContext context, int bottomDim) {
        if (hiddenDims.containsKey(name)) {
            return;
        }
        if (visiting.contains(name)) {
            throw new IllegalStateException("DBMTL relations form a cycle through '" + name + "', which check(...) refuses");
        }
        visiting.add(name);
        int in = bottomDim;
        for (String dep : dependsOn.getOrDefault(name, List.of())) {
            place(dep, towers, hiddenDims, visiting, context, bottomDim);
            in += hiddenDims.get(dep);
        }
        visiting.remove(name);
        TaskHead head = new TaskHead(context.parameters(), "dbmtl/task", towers.get(name), in);
        hiddenDims.put(name, head.hiddenDim(in));
        order.add(head);
    }

    @Override
    public List<TaskSpec> tasks() {
        return specs;
    }

    @Override
    public ModelOutput forward(Pass pass) {
        Tensor input = sharedInput(pass);
        Tensor shared = bottom == null ? input : bottom.forward(pass, input);
        Map<String, Tensor> hidden = new HashMap<>();
        ModelOutput output = new ModelOutput();
        for (TaskHead head : order) {
            List<Tensor> parts = new ArrayList<>();
            parts.add(shared);
            for (String dep : dependsOn.getOrDefault(head.spec().name(), List.of())) {
                parts.add(hidden.get(dep));
            }
            Tensor h = head.hidden(pass, pass.graph().concat(parts));
            hidden.put(head.spec().name(), h);
            output.put(head.spec().name(), head.output(pass, h));
        }
        return output;
    }
}
