package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.DSSM;
import org.recspark.config.proto.MLP;
import org.recspark.features.FeatureSchema;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.FeatureGroups;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.ModelReferences;
import org.recspark.model.SampledNegatives;
import org.recspark.model.TaskLosses;
import org.recspark.model.TrainingObjective;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;
import org.recspark.model.nn.Initializer;
import org.recspark.model.nn.Linear;
import org.recspark.model.nn.Mlp;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.recspark.model.nn.Pass;
import org.recspark.model.sampling.ItemCorpus;
import org.recspark.model.sampling.NegativeSampler;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * Two-tower retrieval (DSSM): a user tower and an item tower, scored by their dot product divided
 * by the temperature (cosine similarity when the towers' outputs are L2-normalised). With in-batch
 * negatives the loss is a softmax over the batch's positive pairs: each user's own item against the
 * other users' items. Popular items appear as negatives more often than they should; the popularity
 * correction subtracts log(sampling probability) from each item's logit (Yi et al. 2019), with the
 * probability estimated online from the gaps between an item's appearances (hashed into buckets;
 * the estimates are model buffers, so they are checkpointed). The item group's first sparse feature
 * identifies the item. With a negative sampler each positive pair is instead scored against the
 * step's negatives drawn from the training rows' items or the item table (shared by the batch), in
 * a sampled softmax whose logits are corrected by log(num_negatives x the sampler's probability)
 * (Jean et al. 2015); a drawn negative that is the row's own item is masked out. The row user's
 * hard negatives (EasyRec's HardNegativeSampler) join that softmax uncorrected. With the full softmax
 * each positive pair is scored against every item of the corpus (the item table and the training
 * rows' items), an exact softmax needing no correction. Without any of these the pair score is
 * trained pointwise on the label. A tower without an MLP passes its group's embeddings through:
 * with id groups alone, matrix factorisation. A user group holding the behaviour sequence (item ids
 * mean-pooled through the item id's shared table) beside the profile is YouTube DNN's candidate
 * generator (Covington et al. 2016).
 *
 * <p>Outputs: the task's logit (the pair score), and the extra tensors "user_embedding" and
 * "item_embedding" for retrieval export.
 */
public final class DssmModel extends SingleTaskModel implements TrainingObjective, TwoTowerModel, SampledNegatives {
    static final int FREQUENCY_BUCKETS = 1 << 16;
    private static final float FREQUENCY_ALPHA = 0.01f;
    /** Subtracted from the logit of a drawn negative that is the row's own item, so it takes no share of the softmax. */
    private static final float ACCIDENTAL_HIT_OFFSET = 1e9f;

    private final FeatureGroups groups;
    private final DSSM config;
    private final Group userGroup;
    private final Group itemGroup;
    private final Tower userTower;
    private final Tower itemTower;
    private final int itemIdFeature;
    private final Parameter lastSeen;
    private final Parameter gap;
    private final boolean inBatchNegatives;
    private final FeatureSchema schema;
    private final long seed;
    private Examples itemTable;
    /** The hard-negative pairs, and the rows of each user's (by group key). */
    private Examples hardPairs;
    private Map<Long, int[]> hardRowsOfUser;
    /** The step's hard negatives: their rows, the user each belongs to, their item keys. */
    private Examples hardNegatives;
    private long[] hardOwners;
    private long[] hardKeys;
    private ItemCorpus corpus;
    private NegativeSampler sampler;
    private Examples negatives;
    private long[] negativeKeys;
    private float[] negativeLogQ;

    /** Its user and item groups exist, and its towers end in the same width. */
    public static List<Violation> check(ModelReferences refs) {
        List<Violation> out = new ArrayList<>();
        DSSM config = refs.modelConfig().getDssm();
        refs.groupRef(config.getUserGroup(), "model_config.dssm.user_group", out);
        refs.groupRef(config.getItemGroup(), "model_config.dssm.item_group", out);
        List<Integer> user = config.getUserTower().getHiddenUnitsList();
        List<Integer> item = config.getItemTower().getHiddenUnitsList();
        if (config.hasFullSoftmax()) {
            checkFullSoftmax(config, out);
        }
        if (config.hasNegativeSampler()) {
            DSSM.NegativeSampler sampler = config.getNegativeSampler();
            if (config.hasInBatchNegatives() && config.getInBatchNegatives()) {
                out.add(new Violation("model_config.dssm.in_batch_negatives",
                        "in_batch_negatives: true and a negative_sampler exclude each other: the sampler's negatives replace the batch's"));
            }
            if (sampler.getDistribution() == DSSM.NegativeSampler.Distribution.UNIFORM && sampler.hasAlpha()) {
                out.add(new Violation("model_config.dssm.negative_sampler.alpha",
                        "alpha " + sampler.getAlpha() + " weighs items by count^alpha; it applies to distribution: POPULARITY only, not UNIFORM"));
            }
            if (sampler.getDistribution() == DSSM.NegativeSampler.Distribution.UNIFORM && sampler.hasCountSmoothing()) {
                out.add(new Violation("model_config.dssm.negative_sampler.count_smoothing", "count_smoothing "
                        + sampler.getCountSmoothing() + " weighs items by (count + count_smoothing)^alpha; it applies to distribution: "
                        + "POPULARITY only, not UNIFORM"));
            }
            if (sampler.getDistribution() == DSSM.NegativeSampler.Distribution.POPULARITY && sampler.getPool() == DSSM.NegativeSampler.Pool.ITEM_TABLE
                    && NegativeSampler.countSmoothing(sampler) == 0 && sampler.getAlpha() > 0) {
                out.add(new Violation("model_config.dssm.negative_sampler.count_smoothing", "0 gives the item table's items without "
                        + "training rows a weight of 0, so they are never drawn; use pool: TRAINING_ROWS for that, or a count_smoothing > 0"));
            }
        }
        if (!user.isEmpty() && !item.isEmpty() && !user.get(user.size() - 1).equals(item.get(item.size() - 1))) {
            out.add(new Violation("model_config.dssm.item_tower.hidden_units",
                    "the towers must end in the same width to be compared: user tower " + user.get(user.size() - 1)
                            + ", item tower " + item.get(item.size() - 1)));
        }
        return out;
    }

    /** The full softmax scores every item, so nothing else may supply negatives and nothing is sampled to correct for. */
    private static void checkFullSoftmax(DSSM config, List<Violation> out) {
        if (config.hasInBatchNegatives() && config.getInBatchNegatives()) {
            out.add(new Violation("model_config.dssm.in_batch_negatives",
                    "in_batch_negatives: true and full_softmax exclude each other: every item of the corpus is already a negative"));
        }
        if (config.hasNegativeSampler()) {
            out.add(new Violation("model_config.dssm.negative_sampler",
                    "a negative_sampler and full_softmax exclude each other: every item of the corpus is already a negative"));
        }
        if (config.hasPopularityCorrection() && config.getPopularityCorrection()) {
            out.add(new Violation("model_config.dssm.popularity_correction",
                    "full_softmax samples nothing, so there is no sampling probability to correct for; drop popularity_correction"));
        }
    }

    public DssmModel(ModelContext context) {
        super(context);
        this.config = context.modelConfig().getDssm();
        this.groups = context.groups();
        this.userGroup = groups.deepGroup(config.getUserGroup(), "model_config.dssm.user_group");
        this.itemGroup = groups.deepGroup(config.getItemGroup(), "model_config.dssm.item_group");
        this.userTower = new Tower(context.parameters(), "dssm/user_tower", groups.deepDim(userGroup), config.getUserTower());
        this.itemTower = new Tower(context.parameters(), "dssm/item_tower", groups.deepDim(itemGroup), config.getItemTower());
        if (userTower.outputDim() != itemTower.outputDim()) {
            throw new ConfigException(List.of(new Violation("model_config.dssm", "the towers must end in the same width to be compared: "
                    + "user tower " + userTower.outputDim() + " (" + describe(config.hasUserTower(), userGroup) + "), item tower "
                    + itemTower.outputDim() + " (" + describe(config.hasItemTower(), itemGroup) + ")")));
        }
        int id = -1;
        for (int f : itemGroup.features()) {
            if (groups.spec(f).sparse()) {
                id = f;
                break;
            }
        }
        this.inBatchNegatives = config.getInBatchNegatives() && !config.hasNegativeSampler() && !config.hasFullSoftmax();
        if (id < 0 && config.hasFullSoftmax()) {
            throw new ConfigException(List.of(new Violation("model_config.dssm.item_group",
                    "full_softmax needs a sparse feature identifying the item in group '" + itemGroup.name() + "'")));
        }
        if (id < 0 && config.hasNegativeSampler()) {
            throw new ConfigException(List.of(new Violation("model_config.dssm.item_group",
                    "the negative sampler needs a sparse feature identifying the item in group '" + itemGroup.name() + "'")));
        }
        if (id < 0 && config.getPopularityCorrection() && inBatchNegatives) {
            throw new ConfigException(List.of(new Violation("model_config.dssm.item_group",
                    "popularity correction needs a sparse feature identifying the item in group '" + itemGroup.name() + "'")));
        }
        this.itemIdFeature = id;
        this.seed = context.config().getTrainConfig().getSeed();
        this.schema = context.schema();
        this.lastSeen = context.parameters().buffer("dssm/frequency/last_seen", 1, FREQUENCY_BUCKETS, Initializer.zeros());
        this.gap = context.parameters().buffer("dssm/frequency/gap", 1, FREQUENCY_BUCKETS, Initializer.zeros());
    }

    private static String describe(boolean hasTower, Group group) {
        return hasTower ? "its last hidden layer" : "no MLP: the width of group '" + group.name() + "'";
    }

    /**
     * A tower: the MLP's hidden layers as configured, then its last layer linear (no normalisation,
     * activation or dropout), as in EasyRec's DSSM. An activated last layer (ReLU) would make every
     * output non-negative, so no cosine could fall below 0 and a pointwise score (a logit) could not
     * predict below 0.5. Parameter names are those of an {@link Mlp} of the same config.
     */
    private static final class Tower {
        private final Mlp hidden;
        private final Linear last;

        Tower(ModelParameters params, String name, int inputDim, MLP config) {
            int layers = config.getHiddenUnitsCount();
            MLP hiddenConfig = config.toBuilder().clearHiddenUnits()
                    .addAllHiddenUnits(config.getHiddenUnitsList().subList(0, Math.max(0, layers - 1))).build();
            this.hidden = new Mlp(params, name, inputDim, hiddenConfig);
            this.last = layers == 0 ? null
                    : new Linear(params, name + "/" + (layers - 1), hidden.outputDim(), config.getHiddenUnits(layers - 1), true);
        }

        int outputDim() {
            return last == null ? hidden.outputDim() : last.outputDim();
        }

        Tensor forward(Pass pass, Tensor x) {
            Tensor h = hidden.forward(pass, x);
            return last == null ? h : last.forward(pass, h);
        }
    }

    /** The streaming frequency estimate: per bucket, the smoothed gap between an item's appearances. */
    @Override
    public void beforeStep(Examples batch, long step) {
        if (sampler != null) {
            drawNegatives(step);
        }
        if (hardPairs != null) {
            drawHardNegatives(batch, step);
        } else if (sampler != null && usesHardNegatives()) {
            throw new IllegalStateException("model_config.dssm.negative_sampler.hard_negatives_per_user: the hard negatives were not given "
                    + "to this run (train reads them beside the samples, as build-samples writes them)");
        }
        if (!config.getPopularityCorrection() || !inBatchNegatives || itemIdFeature < 0) {
            return;
        }
        float[] a = lastSeen.value();
        float[] b = gap.value();
        SparseValues ids = batch.sparse(itemIdFeature);
        float now = step + 1;
        for (int r = 0; r < ids.rows(); r++) {
            if (ids.end(r) == ids.start(r)) {
                continue;
            }
            int h = bucket(ids.ids()[ids.start(r)]);
            if (a[h] > 0 && a[h] < now) {
                // the first observed gap starts the average, so the estimate is usable at once
                b[h] = b[h] == 0 ? now - a[h] : (1 - FREQUENCY_ALPHA) * b[h] + FREQUENCY_ALPHA * (now - a[h]);
            }
            a[h] = now;
        }
    }

    /** The step's negatives, from (train_config.seed, step) alone, so a resumed run draws what the interrupted one would have. */
    private void drawNegatives(long step) {
        int n = config.getNegativeSampler().getNumNegatives();
        int[] drawn = sampler.sample(n, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step));
        negatives = corpus.items().select(drawn);
        negativeKeys = new long[n];
        negativeLogQ = new float[n];
        for (int k = 0; k < n; k++) {
            negativeKeys[k] = corpus.key(drawn[k]);
            negativeLogQ[k] = (float) Math.log((double) n * sampler.probability(drawn[k]));
        }
    }

    /**
     * Up to hard_negatives_per_user of each batch user's hard negatives (a user with more gets a
     * draw without replacement from (train_config.seed, step)), in order of the users' first rows.
     */
    private void drawHardNegatives(Examples batch, long step) {
        int perUser = config.getNegativeSampler().getHardNegativesPerUser();
        long[] users = batch.groupKeys();
        List<Integer> rows = new ArrayList<>();
        List<Long> owners = new ArrayList<>();
        if (users != null) {
            SplittableRandom random = new SplittableRandom((seed + 1) * 0xC2B2AE3D27D4EB4FL + step);
            Set<Long> seen = new HashSet<>();
            for (long user : users) {
                int[] own = hardRowsOfUser.get(user);
                if (own == null || !seen.add(user)) {
                    continue;
                }
                int[] chosen = own.clone();
                int take = Math.min(perUser, chosen.length);
                for (int k = 0; k < take && chosen.length > perUser; k++) {
                    int j = k + random.nextInt(chosen.length - k);
                    int t = chosen[k];
                    chosen[k] = chosen[j];
                    chosen[j] = t;
                }
                for (int k = 0; k < take; k++) {
                    rows.add(chosen[k]);
                    owners.add(user);
                }
            }
        }
        if (rows.isEmpty()) {
            hardNegatives = null;
            hardOwners = new long[0];
            hardKeys = new long[0];
            return;
        }
        hardNegatives = hardPairs.select(rows.stream().mapToInt(Integer::intValue).toArray());
        hardOwners = owners.stream().mapToLong(Long::longValue).toArray();
        SparseValues ids = hardNegatives.sparse(itemIdFeature);
        hardKeys = new long[rows.size()];
        for (int k = 0; k < hardKeys.length; k++) {
            hardKeys[k] = ids.end(k) > ids.start(k) ? ids.ids()[ids.start(k)] : Long.MIN_VALUE;
        }
    }

    @Override
    public boolean usesHardNegatives() {
        return config.hasNegativeSampler() && config.getNegativeSampler().getHardNegativesPerUser() > 0;
    }

    @Override
    public void useHardNegatives(Examples pairs) {
        if (pairs.numRows() > 0 && pairs.groupKeys() == null) {
            throw new IllegalArgumentException("hard negatives without their users' group keys cannot be matched to the rows' users");
        }
        Map<Long, List<Integer>> byUser = new HashMap<>();
        for (int r = 0; r < pairs.numRows(); r++) {
            byUser.computeIfAbsent(pairs.groupKeys()[r], u -> new ArrayList<>()).add(r);
        }
        Map<Long, int[]> rows = new HashMap<>();
        byUser.forEach((user, list) -> rows.put(user, list.stream().mapToInt(Integer::intValue).toArray()));
        this.hardRowsOfUser = rows;
        this.hardPairs = pairs;
    }

    @Override
    public Examples stepHardNegatives() {
        return hardNegatives;
    }

    @Override
    public boolean samplesNegatives() {
        return config.hasNegativeSampler() || config.hasFullSoftmax();
    }

    @Override
    public boolean drawsFromItemTable() {
        return config.hasFullSoftmax() || config.getNegativeSampler().getPool() == DSSM.NegativeSampler.Pool.ITEM_TABLE;
    }

    @Override
    public void useItemTable(Examples items) {
        this.itemTable = items;
    }

    @Override
    public ItemCorpus.Collector newItemCorpus() {
        ItemCorpus.Collector collector = ItemCorpus.collector(schema, itemIdFeature, itemGroup.features());
        if (drawsFromItemTable()) {
            if (itemTable == null) {
                throw new IllegalStateException((config.hasFullSoftmax() ? "model_config.dssm.full_softmax scores every item of the item table"
                        : "model_config.dssm.negative_sampler.pool: ITEM_TABLE draws negatives from the item table")
                        + ", which this run was not given (train reads it beside the samples, as build-samples writes it)");
            }
            collector.addUncounted(itemTable);
        }
        return config.hasFullSoftmax() && config.getFullSoftmax().getExcludeUserItems() ? collector.recordingUserItems() : collector;
    }

    @Override
    public void useItemCorpus(ItemCorpus items) {
        if (config.hasFullSoftmax()) {
            int max = config.getFullSoftmax().getMaxItems();
            if (items.size() > max) {
                throw new ConfigException(List.of(new Violation("model_config.dssm.full_softmax.max_items", "the corpus holds " + items.size()
                        + " items, more than " + max + " to score every step; raise max_items or use a negative_sampler")));
            }
            this.negatives = items.items();
        } else {
            this.sampler = NegativeSampler.of(config.getNegativeSampler(), items);
        }
        this.corpus = items;
    }

    @Override
    public boolean hasItemCorpus() {
        return corpus != null;
    }

    @Override
    public Examples stepNegatives() {
        return negatives;
    }

    private static int bucket(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) ((h ^ (h >>> 32)) & (FREQUENCY_BUCKETS - 1));
    }

    /** Estimated probability that a batch row holds this item (1 when unknown, i.e. no correction). */
    private float probability(long id) {
        float g = gap.value()[bucket(id)];
        return g > 1 ? 1 / g : 1;
    }

    @Override
    public ModelOutput forward(Pass pass) {
        Graph g = pass.graph();
        Tensor u = userTower.forward(pass, groups.deep(pass, userGroup));
        Tensor v = itemEmbedding(pass, groups.deep(pass, itemGroup));
        if (config.getNormalize()) {
            u = g.l2NormalizeRows(u, 1e-12f);
        }
        Tensor score = g.scale(g.rowDot(u, v), 1 / config.getTemperature());
        return output(score).putExtra(USER_EMBEDDING, u).putExtra(ITEM_EMBEDDING, v);
    }

    private Tensor itemEmbedding(Pass pass, Tensor itemInputs) {
        Tensor v = itemTower.forward(pass, itemInputs);
        return config.getNormalize() ? pass.graph().l2NormalizeRows(v, 1e-12f) : v;
    }

    /** The item group's first sparse feature, which also keys the popularity correction. */
    @Override
    public int itemKeyFeature() {
        return itemIdFeature;
    }

    @Override
    public Tensor loss(Pass pass, ModelOutput output, float scale) {
        if (config.hasFullSoftmax()) {
            if (corpus == null) {
                throw new IllegalStateException("DSSM with full_softmax trains only after useItemCorpus gave it the items to score");
            }
            return fullSoftmax(pass, output, scale);
        }
        if (sampler != null) {
            return sampledSoftmax(pass, output, scale);
        }
        if (config.hasNegativeSampler()) {
            throw new IllegalStateException("DSSM with a negative_sampler trains only after useItemCorpus gave it the items to draw from");
        }
        if (!inBatchNegatives) {
            return new TaskLosses(tasks()).loss(pass, output, scale);
        }
        Graph g = pass.graph();
        int[] rows = positiveRows(pass);
        if (rows.length == 0) {
            return Tensor.constant(1, 1, new float[1]);
        }
        Tensor u = g.selectRows(output.extra("user_embedding"), rows);
        Tensor v = g.selectRows(output.extra("item_embedding"), rows);
        Tensor logits = g.scale(g.matmul(u, v, true), 1 / config.getTemperature());
        int n = rows.length;
        int[] targets = new int[n];
        float[] offsets = null;
        if (config.getPopularityCorrection()) {
            offsets = new float[n * n];
            SparseValues ids = pass.batch().sparse(itemIdFeature);
            for (int j = 0; j < n; j++) {
                int r = rows[j];
                float logQ = ids.end(r) > ids.start(r) ? (float) Math.log(probability(ids.ids()[ids.start(r)])) : 0;
                for (int i = 0; i < n; i++) {
                    offsets[i * n + j] = logQ;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            targets[i] = i;
        }
        return g.softmaxCrossEntropy(logits, targets, offsets, scale * task().weight());
    }

    private int[] positiveRows(Pass pass) {
        float[] labels = pass.batch().label(task().label());
        List<Integer> positives = new ArrayList<>();
        for (int r = 0; r < labels.length; r++) {
            if (labels[r] > 0) {
                positives.add(r);
            }
        }
        return positives.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Each positive row's softmax over every item of the corpus, its own item the target, without
     * the user's other training items when exclude_user_items is set. A row whose item is not in
     * the corpus (no item key) takes no part. The item tower runs over the whole corpus in this
     * pass, so every item's embedding learns from every step.
     */
    private Tensor fullSoftmax(Pass pass, ModelOutput output, float scale) {
        Graph g = pass.graph();
        SparseValues ids = pass.batch().sparse(itemIdFeature);
        List<Integer> kept = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        for (int r : positiveRows(pass)) {
            int item = ids.end(r) > ids.start(r) ? corpus.indexOf(ids.ids()[ids.start(r)]) : -1;
            if (item >= 0) {
                kept.add(r);
                targets.add(item);
            }
        }
        if (kept.isEmpty()) {
            return Tensor.constant(1, 1, new float[1]);
        }
        Tensor u = g.selectRows(output.extra(USER_EMBEDDING), kept.stream().mapToInt(Integer::intValue).toArray());
        Tensor all = itemEmbedding(pass, groups.deep(pass, itemGroup, negatives));
        Tensor logits = g.scale(g.matmul(u, all, true), 1 / config.getTemperature());
        float[] offsets = null;
        long[] users = pass.batch().groupKeys();
        if (config.getFullSoftmax().getExcludeUserItems()) {
            if (users == null) {
                throw new IllegalStateException("model_config.dssm.full_softmax.exclude_user_items: the batch has no group keys (users)");
            }
            int classes = corpus.size();
            offsets = new float[kept.size() * classes];
            for (int i = 0; i < kept.size(); i++) {
                for (int item : corpus.itemsOfUser(users[kept.get(i)])) {
                    if (item != targets.get(i)) {
                        offsets[i * classes + item] = ACCIDENTAL_HIT_OFFSET;
                    }
                }
            }
        }
        return g.softmaxCrossEntropy(logits, targets.stream().mapToInt(Integer::intValue).toArray(), offsets, scale * task().weight());
    }

    /**
     * Each positive row's softmax over its own item (class 0) and the step's negatives. The
     * negatives' item tower runs in this pass, so their embeddings and the tower learn from them.
     */
    private Tensor sampledSoftmax(Pass pass, ModelOutput output, float scale) {
        Graph g = pass.graph();
        int[] rows = positiveRows(pass);
        if (rows.length == 0) {
            return Tensor.constant(1, 1, new float[1]);
        }
        Tensor u = g.selectRows(output.extra(USER_EMBEDDING), rows);
        Tensor own = g.rowDot(u, g.selectRows(output.extra(ITEM_EMBEDDING), rows));
        Tensor drawn = g.matmul(u, itemEmbedding(pass, groups.deep(pass, itemGroup, negatives)), true);
        List<Tensor> columns = new ArrayList<>(List.of(own, drawn));
        if (hardNegatives != null) {
            columns.add(g.matmul(u, itemEmbedding(pass, groups.deep(pass, itemGroup, hardNegatives)), true));
        }
        Tensor logits = g.scale(g.concat(columns), 1 / config.getTemperature());
        int n = rows.length;
        int hard = hardNegatives == null ? 0 : hardKeys.length;
        int classes = 1 + negativeKeys.length + hard;
        float[] offsets = new float[n * classes];
        SparseValues ids = pass.batch().sparse(itemIdFeature);
        long[] users = pass.batch().groupKeys();
        for (int i = 0; i < n; i++) {
            int r = rows[i];
            boolean keyed = ids.end(r) > ids.start(r);
            long key = keyed ? ids.ids()[ids.start(r)] : 0;
            int item = keyed ? corpus.indexOf(key) : -1;
            if (config.getPopularityCorrection()) {
                // an item outside the corpus (none when the corpus is the training rows' items) is left uncorrected
                offsets[i * classes] = item < 0 ? 0 : (float) Math.log((double) negativeKeys.length * sampler.probability(item));
            }
            for (int k = 0; k < negativeKeys.length; k++) {
                float logQ = config.getPopularityCorrection() ? negativeLogQ[k] : 0;
                offsets[i * classes + 1 + k] = keyed && negativeKeys[k] == key ? ACCIDENTAL_HIT_OFFSET : logQ;
            }
            // a hard negative counts for its own user's rows only, uncorrected (not sampled by popularity)
            for (int k = 0; k < hard; k++) {
                boolean owned = users != null && hardOwners[k] == users[r] && !(keyed && hardKeys[k] == key);
                offsets[i * classes + 1 + negativeKeys.length + k] = owned ? 0 : ACCIDENTAL_HIT_OFFSET;
            }
        }
        return g.softmaxCrossEntropy(logits, new int[n], offsets, scale * task().weight());
    }
}
