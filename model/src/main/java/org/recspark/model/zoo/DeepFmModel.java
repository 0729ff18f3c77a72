package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.DeepFM;
import org.recspark.features.FeatureSpec;
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
import org.recspark.model.nn.SplitInput;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;
import org.recspark.model.tensor.Workspace;

/**
 * DeepFM: first-order weights, the factorization machine's pairwise interactions of the sparse
 * features' embeddings (0.5 * ((sum e)^2 - sum e^2)), and an MLP over all inputs, summed into one
 * logit. Sparse features of the FM must share one embedding dimension; dense features feed the MLP
 * and the first-order term only. A 1 x N request is scored with its request-side features' share of
 * each term (the MLP's first layer, the FM's sums, first-order weights) computed once.
 */
public final class DeepFmModel extends SingleTaskModel implements RequestScoring {
    private final FeatureGroups groups;
    private final List<Group> deep;
    private final boolean firstOrder;
    private final Mlp dnn;
    private final Linear out;
    private final Parameter bias;

    /** Its groups exist. */
    public static List<Violation> check(ModelReferences refs) {
        List<Violation> out = new ArrayList<>();
        refs.groupRefs(refs.modelConfig().getDeepfm().getGroupsList(), "model_config.deepfm.groups", out);
        return out;
    }

    public DeepFmModel(ModelContext context) {
        super(context);
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
        Tensor deepInput = g.concat(all);
        terms.add(out.forward(pass, dnn.forward(pass, deepInput)));
        if (sparse.size() > 1) {
            // without dense features the MLP's input is the FM's fields already: one concatenation, not two
            Tensor fields = sparse.size() == all.size() ? deepInput : g.concat(sparse);
            terms.add(g.factorizationMachine(fields, sparse.size()));
        }
        if (firstOrder) {
            for (Group group : deep) {
                terms.addAll(groups.wideParts(pass, group));
            }
        }
        return output(Heads.addBias(pass, g.sum(terms), bias));
    }

    @Override
    public ModelOutput forwardRequest(RequestExamples request, Workspace workspace) {
        RequestPasses passes = new RequestPasses(request, workspace);
        Pass items = passes.items();
        RequestPasses.DeepInput input = passes.deepInput(groups, deep);
        List<RequestPasses.Field> sparse = input.fields().stream().filter(f -> groups.spec(f.feature()).sparse()).toList();
        List<Tensor> terms = new ArrayList<>();
        terms.add(out.forward(items, dnn.forwardSplit(items, input.input())));
        if (sparse.size() > 1) {
            terms.add(factorizationMachine(input.input(), sparse));
        }
        if (firstOrder) {
            terms.add(passes.firstOrder(groups, deep));
        }
        return output(Heads.addBias(items, items.graph().sum(terms), bias));
    }

    /**
     * The FM term of a request: the sum and the sum of squares over fields are the request-side
     * fields' (from the shared row, computed once) plus each item's own.
     */
    static Tensor factorizationMachine(SplitInput input, List<RequestPasses.Field> fields) {
        int dim = fields.get(0).width();
        float[] sharedSum = new float[dim];
        float[] sharedSquares = new float[dim];
        List<RequestPasses.Field> own = new ArrayList<>();
        for (RequestPasses.Field field : fields) {
            if (!field.shared()) {
                own.add(field);
                continue;
            }
            float[] e = input.sharedRow();
            for (int j = 0; j < dim; j++) {
                float v = e[field.column() + j];
                sharedSum[j] += v;
                sharedSquares[j] += v * v;
            }
        }
        int rows = input.rows();
        int stride = input.stride();
        float[] e = input.rowColumns().data();
        float[] sum = new float[dim];
        float[] squares = new float[dim];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(sharedSum, 0, sum, 0, dim);
            System.arraycopy(sharedSquares, 0, squares, 0, dim);
            for (RequestPasses.Field field : own) {
                int o = r * stride + field.column();
                for (int j = 0; j < dim; j++) {
                    float v = e[o + j];
                    sum[j] += v;
                    squares[j] += v * v;
                }
            }
            float total = 0;
            for (int j = 0; j < dim; j++) {
                total += sum[j] * sum[j] - squares[j];
            }
            y[r] = 0.5f * total;
        }
        return Tensor.constant(rows, 1, y);
    }
}
