package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.MLP;
import org.recspark.model.nn.Linear;
import org.recspark.model.nn.Mlp;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/** Expert MLPs and softmax gates over them (MMoE, PLE). */
final class Experts {
    private Experts() {
    }

    static List<Mlp> build(ModelParameters params, String prefix, int count, int inputDim, MLP config) {
        List<Mlp> experts = new ArrayList<>();
        for (int e = 0; e < count; e++) {
            experts.add(new Mlp(params, prefix + "/" + e, inputDim, config));
        }
        return experts;
    }

    /** sum_e softmax(gate(input))_e * expert_e: B x expertDim. */
    static Tensor mix(Pass pass, Linear gate, Tensor gateInput, List<Tensor> expertOutputs) {
        Graph g = pass.graph();
        Tensor weights = g.softmax(gate.forward(pass, gateInput));
        List<Tensor> weighted = new ArrayList<>();
        for (int e = 0; e < expertOutputs.size(); e++) {
            weighted.add(g.mulColumn(expertOutputs.get(e), weights, e));
        }
        return g.sum(weighted);
    }
}
