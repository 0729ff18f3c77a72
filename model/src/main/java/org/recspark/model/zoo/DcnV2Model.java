package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.DCNv2;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.FeatureGroups;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.nn.Initializer;
import org.recspark.model.nn.Linear;
import org.recspark.model.nn.Mlp;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * DCN-V2: cross layers x_{l+1} = x_0 * (W x_l + b) + x_l (W full rank, or U V^T of rank r), then an
 * MLP on top (stacked) or beside (parallel), and a linear output.
 */
public final class DcnV2Model extends SingleTaskModel {
    private final FeatureGroups groups;
    private final List<Group> deep;
    private final List<Parameter[]> cross = new ArrayList<>();
    private final boolean stacked;
    private final Mlp dnn;
    private final Linear out;

    public DcnV2Model(ModelContext context) {
        super(context);
        DCNv2 config = context.modelConfig().getDcnV2();
        ModelParameters params = context.parameters();
        this.groups = context.groups();
        this.deep = Heads.deepGroups(groups, List.of(), "model_config.dcn_v2");
        int d = Heads.deepDim(groups, deep);
        int rank = config.getLowRank();
        float bound = (float) (1 / Math.sqrt(d));
        for (int l = 0; l < config.getNumCrossLayers(); l++) {
            String name = "dcn_v2/cross/" + l;
            Parameter b = params.weight(name + "/bias", 1, d, Initializer.zeros());
            if (rank == 0) {
                cross.add(new Parameter[]{params.weight(name + "/w", d, d, new Initializer.Uniform(bound)), b});
            } else {
                cross.add(new Parameter[]{params.weight(name + "/v", d, rank, new Initializer.Uniform(bound)),
                        params.weight(name + "/u", rank, d, new Initializer.Uniform((float) (1 / Math.sqrt(rank)))), b});
            }
        }
        this.stacked = config.getStacked();
        this.dnn = new Mlp(params, "dcn_v2/dnn", d, config.getDnn());
        this.out = new Linear(params, "dcn_v2/output", stacked ? dnn.outputDim() : d + dnn.outputDim(), 1, true);
    }

    @Override
    public ModelOutput forward(Pass pass) {
        Graph g = pass.graph();
        Tensor x0 = Heads.deepInput(pass, groups, deep);
        Tensor x = x0;
        for (Parameter[] layer : cross) {
            Tensor wx = layer.length == 2
                    ? g.matmul(x, pass.param(layer[0]), false)
                    : g.matmul(g.matmul(x, pass.param(layer[0]), false), pass.param(layer[1]), false);
            Tensor bias = pass.param(layer[layer.length - 1]);
            x = g.add(g.mul(x0, g.addRowVector(wx, bias)), x);
        }
        Tensor top = stacked ? dnn.forward(pass, x) : g.concat(List.of(x, dnn.forward(pass, x0)));
        return output(out.forward(pass, top));
    }
}
