package org.recspark.trainer.model.zoo;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.DeepFM;
import org.recspark.features.FeatureSpec;
import org.recspark.trainer.model.FeatureGroups;
import org.recspark.trainer.model.FeatureGroups.Group;
import org.recspark.trainer.model.Model;
import org.recspark.trainer.model.ModelContext;
import org.recspark.trainer.model.ModelOutput;
import org.recspark.trainer.model.TaskSpec;
import org.recspark.trainer.nn.Linear;
import org.recspark.trainer.nn.Mlp;
import org.recspark.trainer.nn.Parameter;
import org.recspark.trainer.nn.Pass;
import org.recspark.trainer.tensor.Graph;
import org.recspark.trainer.tensor.Tensor;

/**
 * DeepFM: first-order weights, the factorization machine's pairwise interactions of the sparse
 * features' embeddings (0.5 * ((sum e)^2 - sum e^2)), and an MLP over all inputs, summed into one
 * logit. Sparse features of the FM must share one embedding dimension; dense features feed the MLP
 * and the first-order term only.
 */
public final class DeepFmModel implements Model {
    private final FeatureGroups groups;
    private final List<Group> deep;
    private final boolean firstOrder;
    private final Mlp dnn;
    private final Linear out;
    private final Parameter bias;
    private final TaskSpec task;

    public DeepFmModel(ModelContext context) {
        DeepFM config = context.modelConfig().getDeepfm();
        this.groups = context.groups();
        this.deep = Heads.deepGroups(groups, config.getGroupsList(), "model_config.deepfm.groups");
        int fmDim = -1;
        for (Group g : deep) {
            for (int f : g.features()) {
                FeatureSpec spec = groups.spec(f);
                if (!spec.sparse()) {
                    continue;
                }
                if (fmDim >= 0 && spec.embeddingDim() != fmDim) {
                    throw new ConfigException(List.of(new Violation(g.path(), "DeepFM needs one embedding_dim for all sparse features; '"
                            + spec.name() + "' has " + spec.embeddingDim() + ", others " + fmDim)));
                }
                fmDim = spec.embeddingDim();
            }
        }
        this.firstOrder = config.getUseFirstOrder();
        if (firstOrder) {
            deep.forEach(groups::enableFirstOrder);
        }
        this.dnn = new Mlp(context.parameters(), "deepfm/dnn", Heads.deepDim(groups, deep), config.getDnn());
        this.out = new Linear(context.parameters(), "deepfm/output", dnn.outputDim(), 1, true);
        this.bias = Heads.bias(context.parameters(), "deepfm/bias");
        this.task = context.singleTask();
    }

    @Override
    public List<TaskSpec> tasks() {
        return List.of(task);
    }

    @Override
    public ModelOutput forward(Pass pass) {
        Graph g = pass.graph();
        List<Tensor> all = new ArrayList<>();
        List<Tensor> sparse = new ArrayList<>();
        for (Group group : deep) {
            List<Tensor> parts = groups.deepParts(pass, group);
            for (int i = 0; i < parts.size(); i++) {
                all.add(parts.get(i));
                if (groups.spec(group.features().get(i)).sparse()) {
                    sparse.add(parts.get(i));
                }
            }
        }
        List<Tensor> terms = new ArrayList<>();
        terms.add(out.forward(pass, dnn.forward(pass, g.concat(all))));
        if (sparse.size() > 1) {
            terms.add(factorizationMachine(g, g.concat(sparse), sparse.size()));
        }
        if (firstOrder) {
            for (Group group : deep) {
                terms.addAll(groups.wideParts(pass, group));
            }
        }
        return new ModelOutput().put(task.name(), Heads.addBias(pass, g.sum(terms), bias));
    }

    /** Pairwise interactions of F fields of B x (F * D) embeddings: B x 1. */
    static Tensor factorizationMachine(Graph g, Tensor fields, int numFields) {
        Tensor sum = g.sumGroups(fields, numFields);
        Tensor sumOfSquares = g.sumGroups(g.mul(fields, fields), numFields);
        return g.scale(g.rowSum(g.sub(g.mul(sum, sum), sumOfSquares)), 0.5f);
    }
}
