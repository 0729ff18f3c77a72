package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.Violation;
import org.recspark.config.proto.MultiTower;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.FeatureGroups;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.ModelReferences;
import org.recspark.model.nn.Linear;
import org.recspark.model.nn.Mlp;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;

/** One MLP tower per feature group, concatenated into a final MLP and a linear output. */
public final class MultiTowerModel extends SingleTaskModel {
    private final FeatureGroups groups;
    private final List<Group> towerGroups = new ArrayList<>();
    private final List<Mlp> towers = new ArrayList<>();
    private final Mlp finalDnn;
    private final Linear out;

    /** Each tower's group exists. */
    public static List<Violation> check(ModelReferences refs) {
        List<Violation> out = new ArrayList<>();
        MultiTower config = refs.modelConfig().getMultiTower();
        for (int j = 0; j < config.getTowersCount(); j++) {
            refs.groupRef(config.getTowers(j).getGroup(), "model_config.multi_tower.towers[" + j + "].group", out);
        }
        return out;
    }

    public MultiTowerModel(ModelContext context) {
        super(context);
        MultiTower config = context.modelConfig().getMultiTower();
        this.groups = context.groups();
        int dim = 0;
        for (int i = 0; i < config.getTowersCount(); i++) {
            MultiTower.Tower t = config.getTowers(i);
            Group g = groups.deepGroup(t.getGroup(), "model_config.multi_tower.towers[" + i + "].group");
            Mlp mlp = new Mlp(context.parameters(), "multi_tower/" + g.name(), groups.deepDim(g), t.getDnn());
            towerGroups.add(g);
            towers.add(mlp);
            dim += mlp.outputDim();
        }
        this.finalDnn = new Mlp(context.parameters(), "multi_tower/final", dim, config.getFinalDnn());
        this.out = new Linear(context.parameters(), "multi_tower/output", finalDnn.outputDim(), 1, true);
    }

    @Override
    public ModelOutput forward(Pass pass) {
        List<Tensor> outs = new ArrayList<>();
        for (int i = 0; i < towers.size(); i++) {
            outs.add(towers.get(i).forward(pass, groups.deep(pass, towerGroups.get(i))));
        }
        Tensor h = finalDnn.forward(pass, pass.graph().concat(outs));
        return output(out.forward(pass, h));
    }
}
