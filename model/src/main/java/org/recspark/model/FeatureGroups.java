package org.recspark.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.EmbeddingInitializer;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureGroup;
import org.recspark.config.proto.GroupType;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.Pooling;
import org.recspark.config.proto.SequenceSelfAttention;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;
import org.recspark.model.embedding.EmbeddingLookup;
import org.recspark.model.embedding.EmbeddingLookup.SequenceEmbedding;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SlotTranslation;
import org.recspark.model.nn.Initializer;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.recspark.model.nn.Pass;
import org.recspark.model.nn.SelfAttentionEncoder;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * The model_config's feature groups turned into model inputs. A DEEP group is the concatenation of
 * its features' pooled embeddings (a sequence feature with self_attention: its encoder's output, see
 * {@link SelfAttentionEncoder}) and dense features' values; a WIDE group is the sum of
 * one-dimensional weights of its ids (and a linear term of its dense features); a SEQUENCE group is
 * the unpooled embeddings of its sequence features, concatenated per position. The tables are
 * created when the groups are, so every model gets the same embedding layout from the same config.
 */
public final class FeatureGroups {
    private static final Initializer DEFAULT_INIT = new Initializer.Normal(0.01f);
    private static final String WIDE_SUFFIX = "/wide";

    private final FeatureSchema schema;
    private final ModelParameters params;
    private final Map<String, Feature> featureConfigs = new HashMap<>();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    /** By first-order table name: its slots of the main table's ids, for {@link #widePart(Pass, Group, int, int[])}. */
    private final Map<String, SlotTranslation> firstOrderSlots = new ConcurrentHashMap<>();
    /** model_config.variational_dropout's gates over DEEP groups' features, or null when it is off. */
    private final FeatureGates gates;
    /** By feature index: the encoders of DEEP groups' sequence features with self_attention, which replace their pooling. */
    private final Map<Integer, SelfAttentionEncoder> encoders = new HashMap<>();

    /** A group's features in config order, with its type and config path. */
    public record Group(String name, GroupType type, List<Integer> features, String path) {}

    FeatureGroups(PipelineConfig config, FeatureSchema schema, ModelParameters params) {
        this.schema = schema;
        this.params = params;
        for (Feature f : config.getFeatureConfig().getFeaturesList()) {
            featureConfigs.put(f.getName(), f);
        }
        List<Violation> violations = new ArrayList<>();
        List<FeatureGroup> configured = config.getModelConfig().getFeatureGroupsList();
        for (int g = 0; g < configured.size(); g++) {
            FeatureGroup fg = configured.get(g);
            String path = "model_config.feature_groups[" + g + "]";
            if (groups.containsKey(fg.getName())) {
                violations.add(new Violation(path + ".name", "group '" + fg.getName() + "' is defined twice"));
                continue;
            }
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < fg.getFeaturesCount(); i++) {
                String name = fg.getFeatures(i);
                String fpath = path + ".features[" + i + "]";
                FeatureSpec spec;
                try {
                    spec = schema.spec(name);
                } catch (IllegalArgumentException e) {
                    violations.add(new Violation(fpath, "no feature named '" + name + "' in feature_config"));
                    continue;
                }
                if (fg.getType() == GroupType.SEQUENCE && (!spec.sparse() || spec.type() != Feature.TypeCase.SEQUENCE)) {
                    violations.add(new Violation(fpath, "feature '" + name + "' is not a sequence feature; a SEQUENCE group holds sequence features only"));
                    continue;
                } else if (fg.getType() == GroupType.SEQUENCE && spec.weighted()) {
                    violations.add(new Violation(fpath, "feature '" + name + "' has a recency_decay, which weighs a pooled sequence; "
                            + "a SEQUENCE group's attention reads its ids alone"));
                    continue;
                } else if (fg.getType() != GroupType.DEEP && selfAttention(name) != null) {
                    violations.add(new Violation(fpath, "feature '" + name + "' has a self_attention encoder, which replaces its pooling "
                            + "in a DEEP group; a " + fg.getType() + " group reads " + (fg.getType() == GroupType.WIDE
                            ? "first-order weights of its ids" : "its ids for the model's own attention")));
                    continue;
                }
                members.add(schema.index(name));
            }
            groups.put(fg.getName(), new Group(fg.getName(), fg.getType(), List.copyOf(members), path));
        }
        if (!violations.isEmpty()) {
            throw new ConfigException(violations);
        }
        for (Group group : groups.values()) {
            for (int f : group.features()) {
                FeatureSpec spec = schema.features().get(f);
                if (spec.sparse() && group.type() != GroupType.WIDE) {
                    params.bind(f, tableOf(spec));
                }
            }
            if (group.type() == GroupType.WIDE) {
                enableFirstOrder(group);
            }
            if (group.type() == GroupType.DEEP) {
                for (int f : group.features()) {
                    FeatureSpec spec = schema.features().get(f);
                    SequenceSelfAttention encoder = selfAttention(spec.name());
                    if (encoder != null) {
                        int maxLength = featureConfigs.get(spec.name()).getSequence().getMaxLength();
                        encoders.computeIfAbsent(f, k ->
                                new SelfAttentionEncoder(params, "sequence_encoder/" + spec.name(), spec.embeddingDim(), maxLength, encoder));
                    }
                }
            }
        }
        gates = config.getModelConfig().hasVariationalDropout()
                ? new FeatureGates(config.getModelConfig().getVariationalDropout(), ofType(GroupType.DEEP), params) : null;
    }

    /** A sequence feature's self_attention config, or null when it is pooled (or not a sequence). */
    private SequenceSelfAttention selfAttention(String feature) {
        Feature f = featureConfigs.get(feature);
        return f != null && f.hasSequence() && f.getSequence().hasSelfAttention() ? f.getSequence().getSelfAttention() : null;
    }

    /** The main embedding table of a sparse feature (created on first use, shared by name). */
    public EmbeddingTable tableOf(FeatureSpec spec) {
        return params.table(spec.embeddingTable(), spec.embeddingDim(), initializerOf(spec));
    }

    private Initializer initializerOf(FeatureSpec spec) {
        Feature f = featureConfigs.get(spec.name());
        if (f == null || !f.hasInitializer()) {
            return DEFAULT_INIT;
        }
        EmbeddingInitializer init = f.getInitializer();
        return switch (init.getKindCase()) {
            case NORMAL_STDDEV -> new Initializer.Normal(init.getNormalStddev());
            case TRUNCATED_NORMAL_STDDEV -> new Initializer.TruncatedNormal(init.getTruncatedNormalStddev());
            case UNIFORM_BOUND -> new Initializer.Uniform(init.getUniformBound());
            case ZEROS -> Initializer.zeros();
            case KIND_NOT_SET -> DEFAULT_INIT;
        };
    }

    public Group group(String name, String configPath) {
        Group g = groups.get(name);
        if (g == null) {
            throw new ConfigException(List.of(new Violation(configPath, "no feature group named '" + name
                    + "' (groups: " + groups.keySet() + ")")));
        }
        return g;
    }

    /**
     * A named group used as a deep input (pooled embeddings and dense values). A WIDE group has only
     * first-order weights, no embedding tables, so it cannot be one: a config error at {@code configPath}.
     */
    public Group deepGroup(String name, String configPath) {
        Group g = group(name, configPath);
        if (g.type() == GroupType.WIDE) {
            throw new ConfigException(List.of(new Violation(configPath, "group '" + name
                    + "' is WIDE (first-order weights only); a DEEP or SEQUENCE group is needed here")));
        }
        return g;
    }

    public List<Group> all() {
        return List.copyOf(groups.values());
    }

    public List<Group> ofType(GroupType type) {
        return groups.values().stream().filter(g -> g.type() == type).toList();
    }

    /** Columns of a DEEP group: the sum of embedding dims and dense dims of its features. */
    public int deepDim(Group group) {
        int dim = 0;
        for (int f : group.features()) {
            FeatureSpec spec = schema.features().get(f);
            dim += spec.sparse() ? spec.embeddingDim() : spec.denseDim();
        }
        return dim;
    }

    /**
     * Per-feature inputs of a DEEP group: a pooled embedding (B x dim) or the dense values, in a
     * training pass scaled by the feature's variational dropout gate when the config has one.
     */
    public List<Tensor> deepParts(Pass pass, Group group) {
        List<Tensor> parts = new ArrayList<>();
        List<Integer> features = group.features();
        for (int i = 0; i < features.size(); i++) {
            Tensor part = feature(pass, features.get(i));
            parts.add(gates == null ? part : gates.gate(pass, group, i, part));
        }
        return parts;
    }

    /** A DEEP group's inputs side by side: B x {@link #deepDim}. */
    public Tensor deep(Pass pass, Group group) {
        return pass.graph().concat(deepParts(pass, group));
    }

    /**
     * A DEEP group's inputs for rows other than the pass's batch (DSSM's sampled negative items),
     * recorded in the pass so that their embeddings receive gradients too.
     */
    public Tensor deep(Pass pass, Group group, Examples rows) {
        List<Tensor> parts = new ArrayList<>();
        for (int f : group.features()) {
            parts.add(feature(pass, f, rows));
        }
        return pass.graph().concat(parts);
    }

    /** One feature as a deep input: its pooled (or, with self_attention, encoded) embedding, or its dense values. */
    public Tensor feature(Pass pass, int feature) {
        return feature(pass, feature, pass.batch());
    }

    private Tensor feature(Pass pass, int feature, Examples batch) {
        FeatureSpec spec = schema.features().get(feature);
        SelfAttentionEncoder encoder = encoders.get(feature);
        if (encoder != null) {
            return encoder.forward(pass, EmbeddingLookup.sequence(pass, batch.sparse(feature), tableOf(spec)));
        }
        if (selfAttention(spec.name()) != null) {
            throw new IllegalStateException("feature '" + spec.name() + "' has a self_attention encoder only as a member of a DEEP group");
        }
        if (spec.sparse()) {
            return EmbeddingLookup.pooled(pass, batch.sparse(feature), tableOf(spec), spec.pooling());
        }
        return Tensor.constant(batch.numRows(), spec.denseDim(), batch.dense(feature));
    }

    /**
     * Inference only: one feature's deep input (see {@link #feature}) written into a wider row-major
     * matrix, row r's at {@code out[r * stride + offset ...]} (zeros there before). Returns the ids'
     * slots in the feature's main table for a pooled sparse feature, null for a dense or encoded one.
     */
    public int[] featureInto(Pass pass, int feature, float[] out, int stride, int offset) {
        FeatureSpec spec = schema.features().get(feature);
        Examples batch = pass.batch();
        if (encoders.containsKey(feature)) {
            Tensor encoded = feature(pass, feature, batch);
            int dim = encoded.cols();
            for (int r = 0; r < batch.numRows(); r++) {
                System.arraycopy(encoded.data(), r * dim, out, r * stride + offset, dim);
            }
            return null;
        }
        if (spec.sparse()) {
            return EmbeddingLookup.pooledInto(batch.sparse(feature), tableOf(spec), spec.pooling(), out, stride, offset);
        }
        int dim = spec.denseDim();
        float[] values = batch.dense(feature);
        for (int r = 0; r < batch.numRows(); r++) {
            System.arraycopy(values, r * dim, out, r * stride + offset, dim);
        }
        return null;
    }

    /**
     * Creates the first-order weights of a group's features (scalar embeddings of ids, linear weights
     * of dense values) for {@link #wideParts}; WIDE groups have them already. Models call this at
     * construction, never during a pass.
     */
    public void enableFirstOrder(Group group) {
        for (int f : group.features()) {
            FeatureSpec spec = schema.features().get(f);
            if (spec.sparse()) {
                params.bind(f, params.table(spec.embeddingTable() + WIDE_SUFFIX, 1, Initializer.zeros()));
            } else if (params.parameter(wideDenseName(group, spec)) == null) {
                params.weight(wideDenseName(group, spec), spec.denseDim(), 1, Initializer.zeros());
            }
        }
    }

    /** Creates and binds the main table of a feature outside any group (DIN's target features). */
    public void enableEmbedding(int feature) {
        FeatureSpec spec = schema.features().get(feature);
        if (!spec.sparse()) {
            throw new IllegalArgumentException("feature '" + spec.name() + "' is dense and has no embedding");
        }
        params.bind(feature, tableOf(spec));
    }

    /** Per-feature first-order terms of a group (B x 1 each): ids' scalar weights, dense features' linear terms. */
    public List<Tensor> wideParts(Pass pass, Group group) {
        List<Tensor> parts = new ArrayList<>();
        for (int f : group.features()) {
            parts.add(widePart(pass, group, f));
        }
        return parts;
    }

    /** The first-order term of one of a group's features: B x 1. */
    public Tensor widePart(Pass pass, Group group, int feature) {
        FeatureSpec spec = schema.features().get(feature);
        Examples batch = pass.batch();
        if (spec.sparse()) {
            return EmbeddingLookup.pooled(pass, batch.sparse(feature), firstOrderTable(group, spec), spec.pooling());
        }
        Parameter w = params.parameter(wideDenseName(group, spec));
        if (w == null) {
            throw new IllegalStateException("first-order weights of group '" + group.name() + "' were not enabled");
        }
        return pass.graph().matmul(Tensor.constant(batch.numRows(), spec.denseDim(), batch.dense(feature)), pass.param(w), false);
    }

    /**
     * Inference only: {@link #widePart(Pass, Group, int)} of a sparse feature whose ids' slots in its
     * main table are known ({@link #featureInto}'s), so its first-order rows are found without a
     * second hash lookup per id. Without slots (null), or for a dense feature, the ordinary term.
     */
    public Tensor widePart(Pass pass, Group group, int feature, int[] mainSlots) {
        FeatureSpec spec = schema.features().get(feature);
        if (mainSlots == null || !spec.sparse()) {
            return widePart(pass, group, feature);
        }
        EmbeddingTable main = tableOf(spec);
        EmbeddingTable wide = firstOrderTable(group, spec);
        SlotTranslation translation = firstOrderSlots.get(wide.name());
        if (translation == null || translation.from() != main || !translation.current()) {
            translation = SlotTranslation.between(main, wide);
            firstOrderSlots.put(wide.name(), translation);
        }
        SparseValues values = pass.batch().sparse(feature);
        float[] out = new float[values.rows()];
        EmbeddingLookup.pooledInto(values, wide, spec.pooling(), translation.translate(mainSlots), out, 1, 0);
        return Tensor.constant(values.rows(), 1, out);
    }

    private EmbeddingTable firstOrderTable(Group group, FeatureSpec spec) {
        EmbeddingTable table = params.tableNamed(spec.embeddingTable() + WIDE_SUFFIX);
        if (table == null) {
            throw new IllegalStateException("first-order weights of group '" + group.name() + "' were not enabled");
        }
        return table;
    }

    private static String wideDenseName(Group group, FeatureSpec spec) {
        return group.name() + WIDE_SUFFIX + "/" + spec.name();
    }

    /** A group's first-order term: B x 1. */
    public Tensor wide(Pass pass, Group group) {
        return pass.graph().sum(wideParts(pass, group));
    }

    /**
     * A SEQUENCE group: the embeddings of its sequence features concatenated per position, packed
     * without padding and de-duplicated (see {@link EmbeddingLookup#sequence}): a distinct
     * combination of the features' ids is one row of (sum of dims) columns. All features must have
     * equal lengths in every row.
     */
    public SequenceEmbedding sequence(Pass pass, Group group) {
        List<SequenceEmbedding> parts = new ArrayList<>();
        for (int f : group.features()) {
            FeatureSpec spec = schema.features().get(f);
            SequenceEmbedding s = EmbeddingLookup.sequence(pass, pass.batch().sparse(f), tableOf(spec));
            if (!parts.isEmpty() && !java.util.Arrays.equals(s.offsets(), parts.get(0).offsets())) {
                throw new IllegalArgumentException("sequence features of group '" + group.name()
                        + "' have different lengths in this batch; they must be aligned position by position");
            }
            parts.add(s);
        }
        if (parts.isEmpty()) {
            throw new ConfigException(List.of(new Violation(group.path() + ".features", "a SEQUENCE group needs a feature")));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        // a position's combined row is its combination of the features' rows, numbered by first occurrence
        int n = parts.get(0).positions().length;
        int[] positions = new int[n];
        int[] firstPosition = new int[n];
        int distinct = 0;
        java.util.Map<java.util.List<Integer>, Integer> rowOfCombination = new java.util.HashMap<>();
        for (int p = 0; p < n; p++) {
            List<Integer> combination = new ArrayList<>(parts.size());
            for (SequenceEmbedding part : parts) {
                combination.add(part.positions()[p]);
            }
            Integer row = rowOfCombination.putIfAbsent(combination, distinct);
            if (row == null) {
                row = distinct++;
                firstPosition[row] = p;
            }
            positions[p] = row;
        }
        List<Tensor> columns = new ArrayList<>();
        for (SequenceEmbedding part : parts) {
            int[] rows = new int[distinct];
            for (int row = 0; row < distinct; row++) {
                rows[row] = part.positions()[firstPosition[row]];
            }
            columns.add(pass.graph().selectRows(part.values(), rows));
        }
        return new SequenceEmbedding(pass.graph().concat(columns), positions, parts.get(0).offsets());
    }

    /** Embedding columns of a SEQUENCE group per position. */
    public int sequenceDim(Group group) {
        int dim = 0;
        for (int f : group.features()) {
            dim += schema.features().get(f).embeddingDim();
        }
        return dim;
    }

    public FeatureSpec spec(int feature) {
        return schema.features().get(feature);
    }

    /** The feature of that name, as a config error at {@code path} when there is none. */
    public int featureIndex(String name, String path) {
        try {
            return schema.index(name);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of(new Violation(path, "no feature named '" + name + "' in feature_config")));
        }
    }

    /** Pooling of a feature as configured. */
    public Pooling pooling(int feature) {
        return schema.features().get(feature).pooling();
    }
}
