package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.Activation;
import org.recspark.config.proto.DIN;
import org.recspark.config.proto.FeatureGroup;
import org.recspark.config.proto.GroupType;
import org.recspark.config.proto.MLP;
import org.recspark.features.FeatureSpec;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.FeatureGroups;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.ModelReferences;
import org.recspark.model.embedding.EmbeddingLookup.SequenceEmbedding;
import org.recspark.model.nn.Linear;
import org.recspark.model.nn.Mlp;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * DIN (Zhou et al. 2018): target attention over the behaviour sequence. Each position's weight comes
 * from an MLP over [target, key, target - key, target * key]; weights are not normalised (as in the
 * paper), so the interest vector keeps the intensity of matching behaviour. The interest vector, the
 * target and the DEEP groups feed the final MLP. Sequences are packed without padding with each
 * distinct item once, and the unit's first layer is one fused op over all positions of the batch
 * (see Graph#dinUnitLinear); with DICE and no normalisation or dropout, so is the whole attention
 * MLP (see Graph#dinAttention).
 */
public final class DinModel extends SingleTaskModel {
    private static final MLP DEFAULT_ATTENTION = MLP.newBuilder().addHiddenUnits(64).addHiddenUnits(32)
            .setActivation(Activation.RELU).build();

    private final FeatureGroups groups;
    private final Group sequence;
    private final List<Integer> targets = new ArrayList<>();
    private final List<Group> deep;
    private final Mlp attention;
    private final Linear attentionOut;
    private final Mlp dnn;
    private final Linear out;

    /** Its sequence group exists and is a SEQUENCE group with one target feature per feature, and its target features exist. */
    public static List<Violation> check(ModelReferences refs) {
        List<Violation> out = new ArrayList<>();
        DIN config = refs.modelConfig().getDin();
        refs.groupRef(config.getSequenceGroup(), "model_config.din.sequence_group", out);
        FeatureGroup sequence = refs.group(config.getSequenceGroup());
        if (sequence != null && sequence.getType() != GroupType.SEQUENCE) {
            out.add(new Violation("model_config.din.sequence_group",
                    "group '" + sequence.getName() + "' is " + sequence.getType() + ", DIN attends a SEQUENCE group"));
        } else if (sequence != null && config.getTargetFeaturesCount() != sequence.getFeaturesCount()) {
            out.add(new Violation("model_config.din.target_features", "needs one target feature per feature of group '"
                    + sequence.getName() + "' (" + sequence.getFeaturesCount() + "), got " + config.getTargetFeaturesCount()));
        }
        for (int i = 0; i < config.getTargetFeaturesCount(); i++) {
            refs.featureRef(config.getTargetFeatures(i), "model_config.din.target_features[" + i + "]", out);
        }
        return out;
    }

    public DinModel(ModelContext context) {
        super(context);
        DIN config = context.modelConfig().getDin();
        this.groups = context.groups();
        this.sequence = groups.group(config.getSequenceGroup(), "model_config.din.sequence_group");
        List<Violation> violations = new ArrayList<>();
        for (int i = 0; i < config.getTargetFeaturesCount(); i++) {
            String path = "model_config.din.target_features[" + i + "]";
            int f = groups.featureIndex(config.getTargetFeatures(i), path);
            FeatureSpec target = groups.spec(f);
            if (i < sequence.features().size()) {
                FeatureSpec seq = groups.spec(sequence.features().get(i));
                if (!target.sparse() || !target.embeddingTable().equals(seq.embeddingTable())) {
                    violations.add(new Violation(path, "target feature '" + target.name() + "' must share the embedding of sequence feature '"
                            + seq.name() + "' (table '" + seq.embeddingTable() + "'); set shared_embedding on both"));
                }
            }
            targets.add(f);
        }
        if (!violations.isEmpty()) {
            throw new ConfigException(violations);
        }
        targets.forEach(groups::enableEmbedding);
        this.deep = groups.ofType(GroupType.DEEP);
        int d = groups.sequenceDim(sequence);
        MLP attentionConfig = config.hasAttention() ? config.getAttention() : DEFAULT_ATTENTION;
        this.attention = new Mlp(context.parameters(), "din/attention", 4 * d, attentionConfig);
        this.attentionOut = new Linear(context.parameters(), "din/attention/output", attention.outputDim(), 1, true);
        this.dnn = new Mlp(context.parameters(), "din/dnn", Heads.deepDim(groups, deep) + 2 * d, config.getDnn());
        this.out = new Linear(context.parameters(), "din/output", dnn.outputDim(), 1, true);
    }

    @Override
    public ModelOutput forward(Pass pass) {
        Graph g = pass.graph();
        List<Tensor> targetParts = new ArrayList<>();
        for (int f : targets) {
            targetParts.add(groups.feature(pass, f));
        }
        Tensor target = g.concat(targetParts);
        SequenceEmbedding seq = groups.sequence(pass, sequence);
        Tensor scores = attention.isEmpty() ? attentionOut.forwardDinUnit(pass, target, seq)
                : attention.forwardDinScores(pass, target, seq, attentionOut);
        Tensor interest = g.weightedSequenceSum(scores, seq.values(), seq.positions(), seq.offsets());
        List<Tensor> inputs = new ArrayList<>();
        if (!deep.isEmpty()) {
            inputs.add(Heads.deepInput(pass, groups, deep));
        }
        inputs.add(interest);
        inputs.add(target);
        return output(out.forward(pass, dnn.forward(pass, g.concat(inputs))));
    }
}
