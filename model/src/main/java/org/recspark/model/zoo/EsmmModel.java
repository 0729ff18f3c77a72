package org.recspark.model.zoo;

import java.util.List;
import org.recspark.config.proto.ESMM;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.TaskSpec;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * ESMM: a CTR tower and a CVR tower over shared embeddings, trained over all impressions: the CTR
 * task on the click label, and the CVR task on pCTCVR = pCTR * pCVR against the conversion label
 * (click and convert), which avoids the sample-selection bias of training CVR on clicks only. The
 * CVR task's output is pCTCVR; pCVR itself is the extra tensor "pcvr".
 */
public final class EsmmModel extends MultiTaskModel {
    private final TaskHead ctr;
    private final TaskHead cvr;
    private final TaskSpec ctcvrSpec;

    public EsmmModel(ModelContext context) {
        super(context);
        ESMM config = context.modelConfig().getEsmm();
        int in = inputDim();
        this.ctr = new TaskHead(context.parameters(), "esmm", config.getCtr(), in);
        this.cvr = new TaskHead(context.parameters(), "esmm", config.getCvr(), in);
        TaskSpec c = cvr.spec();
        this.ctcvrSpec = new TaskSpec(c.name(), c.label(), c.loss(), c.weight(), TaskSpec.OutputKind.PROBABILITY);
    }

    @Override
    public List<TaskSpec> tasks() {
        return List.of(ctr.spec(), ctcvrSpec);
    }

    @Override
    public ModelOutput forward(Pass pass) {
        Graph g = pass.graph();
        Tensor input = sharedInput(pass);
        Tensor ctrLogit = ctr.output(pass, ctr.hidden(pass, input));
        Tensor pcvr = g.sigmoid(cvr.output(pass, cvr.hidden(pass, input)));
        Tensor pctcvr = g.mul(g.sigmoid(ctrLogit), pcvr);
        return new ModelOutput().put(ctr.spec().name(), ctrLogit).put(ctcvrSpec.name(), pctcvr).putExtra("pcvr", pcvr);
    }
}
