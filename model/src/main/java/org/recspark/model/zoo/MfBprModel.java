package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.MFBPR;
import org.recspark.model.FeatureGroups;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelOutput;
import org.recspark.model.ModelReferences;
import org.recspark.model.TrainingObjective;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.data.SparseValues;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * Matrix factorisation trained with Bayesian Personalized Ranking (Rendle et al. 2009): the score of
 * a (user, item) pair is the inner product of the user group's and the item group's embeddings plus
 * the item's bias (the item group's first-order weights), and each positive row (label > 0) of a
 * batch shard is ranked above other items of the shard by {@code -log sigmoid(s(u, i+) - s(u, i-))},
 * averaged over its negatives. A negative never has the positive's own item (the item group's first
 * sparse feature identifies it), so a popular item is not pushed below itself.
 *
 * <p>The score is also the task's logit, so pointwise metrics apply. For retrieval the bias is folded
 * into the embeddings: "user_embedding" is {@code [u, 1]} and "item_embedding" {@code [v, b]}, whose
 * inner product is the score.
 */
public final class MfBprModel extends SingleTaskModel implements TrainingObjective, TwoTowerModel {
    private final MFBPR config;
    private final FeatureGroups groups;
    private final Group userGroup;
    private final Group itemGroup;
    private final int itemIdFeature;

    /** Its user and item groups exist. */
    public static List<Violation> check(ModelReferences refs) {
        List<Violation> out = new ArrayList<>();
        MFBPR config = refs.modelConfig().getMfBpr();
        refs.groupRef(config.getUserGroup(), "model_config.mf_bpr.user_group", out);
        refs.groupRef(config.getItemGroup(), "model_config.mf_bpr.item_group", out);
        return out;
    }

    public MfBprModel(ModelContext context) {
        super(context);
        this.config = context.modelConfig().getMfBpr();
        this.groups = context.groups();
        this.userGroup = groups.deepGroup(config.getUserGroup(), "model_config.mf_bpr.user_group");
        this.itemGroup = groups.deepGroup(config.getItemGroup(), "model_config.mf_bpr.item_group");
        if (groups.deepDim(userGroup) != groups.deepDim(itemGroup)) {
            throw new ConfigException(List.of(new Violation("model_config.mf_bpr.item_group", "the user and item factors must be as wide: "
                    + "group '" + userGroup.name() + "' has " + groups.deepDim(userGroup) + " columns, group '" + itemGroup.name() + "' "
                    + groups.deepDim(itemGroup))));
        }
        this.itemIdFeature = itemGroup.features().stream().filter(f -> groups.spec(f).sparse()).findFirst().orElse(-1);
        if (config.getItemBias()) {
            groups.enableFirstOrder(itemGroup);
        }
    }

    @Override
    public ModelOutput forward(Pass pass) {
        Graph g = pass.graph();
        Tensor u = groups.deep(pass, userGroup);
        Tensor v = groups.deep(pass, itemGroup);
        if (config.getItemBias()) {
            float[] ones = new float[u.rows()];
            Arrays.fill(ones, 1f);
            u = g.concat(List.of(u, Tensor.constant(u.rows(), 1, ones)));
            v = g.concat(List.of(v, groups.wide(pass, itemGroup)));
        }
        return output(g.rowDot(u, v)).putExtra(USER_EMBEDDING, u).putExtra(ITEM_EMBEDDING, v);
    }

    /** The item group's first sparse feature: it identifies the item, or -1 when the group has none. */
    @Override
    public int itemKeyFeature() {
        return itemIdFeature;
    }

    /**
     * The BPR loss over the positive rows of the shard, each against the items of the shard's other
     * rows (all of them, or {@code negatives_per_positive} drawn), plus the L2 penalty of the factors
     * each (user, positive, negative) triple uses, weighted as the triple is.
     */
    @Override
    public Tensor loss(Pass pass, ModelOutput output, float scale) {
        Graph g = pass.graph();
        float[] labels = pass.batch().label(task().label());
        int[] positives = IntStream.range(0, labels.length).filter(r -> labels[r] > 0).toArray();
        int rows = labels.length;
        int n = positives.length;
        float[] weights = new float[n * rows];
        boolean anyPair = false;
        for (int i = 0; i < n; i++) {
            anyPair |= negatives(pass, positives[i], weights, i * rows, g.random());
        }
        if (!anyPair) {
            return Tensor.constant(1, 1, new float[1]);
        }
        Tensor users = output.extra(USER_EMBEDDING);
        Tensor items = output.extra(ITEM_EMBEDDING);
        Tensor scores = g.matmul(g.selectRows(users, positives), items, true);
        Tensor loss = g.pairwiseLogistic(scores, positives, weights, scale * task().weight());
        if (config.getL2Regularization() == 0) {
            return loss;
        }
        // The user factors without the constant column the bias adds.
        Tensor userFactors = config.getItemBias() ? g.slice(users, 0, users.cols() - 1) : users;
        float[] userUses = new float[rows];
        float[] itemUses = new float[rows];
        for (int i = 0; i < n; i++) {
            int p = positives[i];
            float pairs = 0;
            for (int j = 0; j < rows; j++) {
                itemUses[j] += weights[i * rows + j];
                pairs += weights[i * rows + j];
            }
            // a positive without negatives makes no triple, so it is not penalised either
            userUses[p] += pairs;
            itemUses[p] += pairs;
        }
        float lambda = config.getL2Regularization() * scale * task().weight();
        Tensor penalty = g.add(weightedSquares(g, userFactors, userUses), weightedSquares(g, items, itemUses));
        return g.add(loss, g.scale(penalty, lambda));
    }

    /**
     * Writes the weights of the negatives of positive row {@code p} into {@code weights[from ...]}: the
     * rows of the shard whose item differs from p's, each {@code 1 / count} (or drawn {@code
     * negatives_per_positive} times with replacement, each draw {@code 1 / draws}). Whether it found any.
     */
    private boolean negatives(Pass pass, int p, float[] weights, int from, SplittableRandom random) {
        int rows = pass.batch().numRows();
        SparseValues ids = itemIdFeature < 0 ? null : pass.batch().sparse(itemIdFeature);
        int[] candidates = new int[rows];
        int count = 0;
        for (int j = 0; j < rows; j++) {
            if (j != p && (ids == null || !sameItem(ids, p, j))) {
                candidates[count++] = j;
            }
        }
        if (count == 0) {
            return false;
        }
        int draws = config.getNegativesPerPositive();
        if (draws == 0) {
            for (int k = 0; k < count; k++) {
                weights[from + candidates[k]] = 1f / count;
            }
        } else {
            for (int k = 0; k < draws; k++) {
                weights[from + candidates[random.nextInt(count)]] += 1f / draws;
            }
        }
        return true;
    }

    /** Whether rows a and b hold the same item id (both none counts as the same). */
    private static boolean sameItem(SparseValues ids, int a, int b) {
        boolean hasA = ids.end(a) > ids.start(a);
        boolean hasB = ids.end(b) > ids.start(b);
        if (!hasA || !hasB) {
            return hasA == hasB;
        }
        return ids.ids()[ids.start(a)] == ids.ids()[ids.start(b)];
    }

    /** {@code sum_r uses[r] * |x_r|^2}, 1 x 1. */
    private static Tensor weightedSquares(Graph g, Tensor x, float[] uses) {
        return g.matmul(Tensor.constant(1, uses.length, uses), g.rowSum(g.mul(x, x)), false);
    }
}
