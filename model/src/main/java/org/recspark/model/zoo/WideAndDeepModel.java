package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.Violation;
import org.recspark.config.proto.WideAndDeep;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.FeatureGroups;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.ModelReferences;
import org.recspark.model.RequestPasses;
import org.recspark.model.RequestScoring;
import org.recspark.model.data.RequestExamples;
import org.recspark.model.nn.Linear;
import org.recspark.model.nn.Mlp;
import org.recspark.model.nn.Parameter;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;
import org.recspark.model.tensor.Workspace;

/** Wide & Deep: first-order weights of the wide groups plus an MLP over the deep groups. */
public final class WideAndDeepModel extends SingleTaskModel implements RequestScoring {
    private final FeatureGroups groups;
    private final List<Group> wide = new ArrayList<>();
    private final List<Group> deep;
    private final Mlp dnn;
    private final Linear out;
    private final Parameter bias;

    /** Its wide and deep groups exist. */
    public static List<Violation> check(ModelReferences refs) {
        List<Violation> out = new ArrayList<>();
        WideAndDeep config = refs.modelConfig().getWideAndDeep();
        refs.groupRefs(config.getWideGroupsList(), "model_config.wide_and_deep.wide_groups", out);
        refs.groupRefs(config.getDeepGroupsList(), "model_config.wide_and_deep.deep_groups", out);
        return out;
    }

    public WideAndDeepModel(ModelContext context) {
        super(context);
        WideAndDeep config = context.modelConfig().getWideAndDeep();
        this.groups = context.groups();
        for (int i = 0; i < config.getWideGroupsCount(); i++) {
            Group g = groups.group(config.getWideGroups(i), "model_config.wide_and_deep.wide_groups[" + i + "]");
            groups.enableFirstOrder(g);
            wide.add(g);
        }
        this.deep = Heads.deepGroups(groups, config.getDeepGroupsList(), "model_config.wide_and_deep.deep_groups");
        this.dnn = new Mlp(context.parameters(), "wide_and_deep/dnn", Heads.deepDim(groups, deep), config.getDnn());
        this.out = new Linear(context.parameters(), "wide_and_deep/output", dnn.outputDim(), 1, false);
        this.bias = Heads.bias(context.parameters(), "wide_and_deep/bias");
    }

    @Override
    public ModelOutput forwardRequest(RequestExamples request, Workspace workspace) {
        RequestPasses passes = new RequestPasses(request, workspace);
        Pass items = passes.items();
        List<Tensor> terms = new ArrayList<>();
        terms.add(passes.firstOrder(groups, wide));
        terms.add(out.forward(items, dnn.forwardSplit(items, passes.deepInput(groups, deep).input())));
        return output(Heads.addBias(items, items.graph().sum(terms), bias));
    }

    @Override
    public ModelOutput forward(Pass pass) {
        List<Tensor> terms = new ArrayList<>();
        for (Group g : wide) {
            terms.add(groups.wide(pass, g));
        }
        terms.add(out.forward(pass, dnn.forward(pass, Heads.deepInput(pass, groups, deep))));
        return output(Heads.addBias(pass, pass.graph().sum(terms), bias));
    }
}
