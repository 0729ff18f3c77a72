package org.recspark.model.zoo;

import java.util.List;
import org.recspark.config.Violation;
import org.recspark.config.proto.GroupType;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.ModelReferences;
import org.recspark.model.nn.Parameter;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;

/** Logistic regression: the sum of first-order weights of the WIDE groups plus a bias. */
public final class LogisticRegressionModel extends SingleTaskModel {
    private final ModelContext context;
    private final List<Group> wide;
    private final Parameter bias;

    /** It has a WIDE group to sum. */
    public static List<Violation> check(ModelReferences refs) {
        if (refs.modelConfig().getFeatureGroupsList().stream().noneMatch(g -> g.getType() == GroupType.WIDE)) {
            return List.of(new Violation("model_config.feature_groups", "lr needs at least one WIDE feature group"));
        }
        return List.of();
    }

    public LogisticRegressionModel(ModelContext context) {
        super(context);
        this.context = context;
        this.wide = context.groups().ofType(GroupType.WIDE);
        this.bias = Heads.bias(context.parameters(), "lr/bias");
    }

    @Override
    public ModelOutput forward(Pass pass) {
        Tensor logit = pass.graph().sum(wide.stream().map(g -> context.groups().wide(pass, g)).toList());
        return output(Heads.addBias(pass, logit, bias));
    }
}
