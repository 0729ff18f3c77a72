package org.recspark.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.proto.FeatureGroup;
import org.recspark.config.proto.GroupType;
import org.recspark.config.proto.ModelConfig;
import org.recspark.config.proto.VariationalDropout;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.nn.Initializer;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.recspark.model.nn.Pass;
import org.recspark.model.nn.Penalty;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * Feature selection by variational dropout (model_config.variational_dropout, as EasyRec's
 * VariationalDropoutFS): one learnable dropout logit per feature of each DEEP group, in a 1 x n
 * parameter {@code variational_dropout/<group>} (n features in config order). In a training pass a
 * feature's deep input is multiplied per row by a relaxed Bernoulli keep factor over its keep
 * probability ({@link Graph#concreteKeep}); evaluation and serving see it unscaled, which is the
 * factor's expectation. As a {@link Penalty} it adds {@code regularization_lambda} times the sum of
 * keep probabilities to every step's loss, so a feature stays kept only as far as the loss needs it;
 * afterwards {@link #ranking} orders the features by keep probability.
 */
public final class FeatureGates implements Penalty {
    static final String PARAMETER_PREFIX = "variational_dropout/";

    private final VariationalDropout config;
    private final Map<String, Parameter> logits = new LinkedHashMap<>();

    /** A gated feature of a group and its keep probability, 1 - sigmoid(logit). */
    public record FeatureKeep(String feature, String group, double keepProbability) {}

    FeatureGates(VariationalDropout config, List<Group> deepGroups, ModelParameters params) {
        this.config = config;
        double p = config.getInitialDropout();
        Initializer start = new Initializer.Constant((float) Math.log(p / (1 - p)));
        for (Group group : deepGroups) {
            if (!group.features().isEmpty()) {
                logits.put(group.name(), params.weight(PARAMETER_PREFIX + group.name(), 1, group.features().size(), start));
            }
        }
        params.addPenalty(this);
    }

    /** The {@code position}-th feature's deep input of a group, gated in a training pass. */
    Tensor gate(Pass pass, Group group, int position, Tensor part) {
        Parameter p = logits.get(group.name());
        if (!pass.training() || p == null) {
            return part;
        }
        Graph g = pass.graph();
        return g.mulColumn(part, g.concreteKeep(pass.param(p), position, part.rows(), config.getTemperature()), 0);
    }

    @Override
    public Tensor loss(Pass pass, float scale) {
        Graph g = pass.graph();
        List<Tensor> keeps = new ArrayList<>();
        for (Parameter p : logits.values()) {
            keeps.add(g.total(g.rsub(1f, g.sigmoid(pass.param(p)))));
        }
        return g.scale(g.sum(keeps), config.getRegularizationLambda() * pass.rows() * scale);
    }

    /**
     * Every gated feature of the config's DEEP groups with its trained keep probability, highest
     * first (ties in config order); empty when the config has no variational_dropout.
     */
    public static List<FeatureKeep> ranking(ModelConfig config, ModelParameters params) {
        List<FeatureKeep> ranking = new ArrayList<>();
        if (!config.hasVariationalDropout()) {
            return ranking;
        }
        for (FeatureGroup group : config.getFeatureGroupsList()) {
            Parameter p = params.parameter(PARAMETER_PREFIX + group.getName());
            if (group.getType() != GroupType.DEEP || p == null) {
                continue;
            }
            for (int i = 0; i < group.getFeaturesCount(); i++) {
                ranking.add(new FeatureKeep(group.getFeatures(i), group.getName(), 1 - Graph.sigmoid(p.value()[i])));
            }
        }
        ranking.sort(Comparator.comparingDouble(FeatureKeep::keepProbability).reversed());
        return ranking;
    }
}
