package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.recspark.model.Model;
import org.recspark.model.PenalizedObjective;
import org.recspark.model.TrainingObjective;
import org.recspark.model.data.Examples;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;
import org.recspark.model.nn.Gradients;
import org.recspark.model.nn.Parameter;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.GradientChecker;
import org.recspark.model.tensor.GradientChecker.Variable;
import org.recspark.model.tensor.Graph;

/**
 * Numerical gradient checks through whole models, loss included: the composed layers (DCNv2 cross
 * layers, DIN's attention, the FM term, expert gates, DSSM's in-batch softmax with its log-Q
 * correction) w.r.t. dense parameters and the embedding rows of the batch.
 *
 * <p>A check is only as strong as its gradients are large against the absolute tolerance, the
 * float32 noise of the central differences: a dropped gradient whose true value is below it passes.
 * So every checked variable must have an analytic gradient of norm at least {@link #SIGNIFICANT}
 * (beyond the tolerance, never all zeros), and the setup makes them that large: a batch of two rows
 * (each row's embeddings carry half the mean loss, not a 24th), embedding rows scaled tenfold, and
 * of each dense parameter the window of values with the largest gradient. Before, with 24 rows, embedding gradients were about 1e-4 against a tolerance of 2e-3.
 */
class ModelGradientTest {
    /** Rows of the checked batch: two, so each row's embeddings carry half the mean loss. */
    private static final int ROWS = 2;
    /**
     * DSSM's in-batch softmax has no gradient over two rows alone (measured), and MF-BPR's pairs need a
     * positive and another item, so they get four.
     */
    private static final int IN_BATCH_ROWS = 4;
    /** Values checked per dense parameter (a window of them), to bound the number of forward passes. */
    private static final int VALUES_PER_PARAMETER = 24;
    /**
     * Embedding rows start from N(0, 0.01); scaled to a standard deviation of 0.1, their gradients and
     * those of the first layers above them (which multiply them) grow well above the noise.
     */
    private static final float EMBEDDING_SCALE = 10f;
    /**
     * The step: with two rows few ReLU units sit within a step's reach of their kink, and the float32
     * noise of the central differences is about 2.5e-5 (measured: the largest error of the models whose
     * values cross no kink), a quarter of the absolute tolerance.
     */
    private static final double STEP = 1e-3;
    private static final double ABSOLUTE_TOLERANCE = 1e-4;
    /**
     * The least analytic gradient norm of a checked variable. A dropped gradient (all zeros) fails
     * here whatever the central differences say; 2.5 times the tolerance is what every checked
     * variable of every model reaches in this setup (the least, DIN's item embeddings, 2.7e-4), but
     * the gates' and attention's ({@link #nearNoiseAtInitialisation}).
     */
    private static final double SIGNIFICANT = 2.5 * ABSOLUTE_TOLERANCE;

    /** A variant beside the registry's defaults: low-rank, stacked cross layers. */
    private static final String DCN_V2_LOW_RANK_STACKED = "dcn_v2_low_rank_stacked";
    /** A variant: MF-BPR with sampled negatives. */
    private static final String MF_BPR_SAMPLED = "mf_bpr_sampled";
    /** A variant: DSSM whose towers are the embeddings themselves (no MLP), i.e. MF with the sampled softmax. */
    private static final String DSSM_MF = "dssm_mf";
    /**
     * A variant: YouTube DNN's user tower with the history encoded by self-attention (two heads)
     * instead of mean-pooled. Its loss is near 3 (a float32 ulp of 2.4e-7), so at {@link #STEP} the
     * central differences' noise is 1.2e-4, above the tolerance; it is checked at
     * {@link #SELF_ATTENTION_STEP}, where that noise is 4e-5 and the layer norms' curvature still
     * negligible (at 1e-2 it is not: errors of 3%).
     */
    private static final String DSSM_SELF_ATTENTION = "dssm_self_attention";
    private static final double SELF_ATTENTION_STEP = 3e-3;
    /**
     * DeepFM with model_config.variational_dropout: the gates' logits through the relaxed keep
     * factors (the same noise in every pass, the graph's seed being fixed) and their penalty.
     */
    private static final String DEEPFM_VARIATIONAL_DROPOUT = "deepfm_variational_dropout";

    /**
     * lr starts with zero weights, so every logit is 0 and the bias gradients of the two rows (a click
     * and a non-click) cancel: the check would be vacuous. Its first-order terms are checked through
     * wide_and_deep.
     */
    private static final Set<String> VACUOUS_AT_INITIALISATION = Set.of("lr");

    /** Every built-in model of the registry with its default zoo config, and the variants whose layers differ. */
    static Stream<String> models() {
        return Stream.concat(ZooConfigs.builtInModels().stream().filter(name -> !VACUOUS_AT_INITIALISATION.contains(name)),
                Stream.of(DCN_V2_LOW_RANK_STACKED, MF_BPR_SAMPLED, DSSM_MF, DSSM_SELF_ATTENTION, DEEPFM_VARIATIONAL_DROPOUT));
    }

    private static String config(String model) {
        return switch (model) {
            case DCN_V2_LOW_RANK_STACKED -> ZooConfigs.dcnV2(4, true);
            case MF_BPR_SAMPLED -> ZooConfigs.mfBpr(3, 0.01f);
            case DSSM_MF -> ZooConfigs.dssmMatrixFactorisation();
            case DSSM_SELF_ATTENTION -> ZooConfigs.youtubeDnn();
            case DEEPFM_VARIATIONAL_DROPOUT -> ZooConfigs.of("deepfm").replaceFirst("model_config \\{",
                    "model_config {\n  variational_dropout { regularization_lambda: 0.5 temperature: 0.5 }");
            default -> ZooConfigs.of(model);
        };
    }

    @ParameterizedTest
    @MethodSource("models")
    void lossGradientsMatchCentralDifferences(String name) {
        ZooFixture.Built built = ZooFixture.build(name.equals(DSSM_SELF_ATTENTION)
                ? ZooFixture.parseWithSelfAttentionHistory(config(name), ZooFixture.TRAIN_CONFIG, "MOST_RECENT") : ZooFixture.parse(config(name)), 11);
        Examples batch = name.startsWith("dssm") || name.startsWith("mf_bpr") ? inBatchRows() : ZooFixture.data().test().slice(0, ROWS);
        built.parameters().allocateRows(batch);
        for (EmbeddingTable table : built.parameters().tables()) {
            for (int slot = 0; slot < table.size(); slot++) {
                float[] values = table.values(slot);
                for (int k = 0; k < table.dim(); k++) {
                    values[table.offset(slot) + k] *= EMBEDDING_SCALE;
                }
            }
        }
        Model model = built.model();
        assertEquals(name.equals(DEEPFM_VARIATIONAL_DROPOUT), built.parameters().trainable().stream()
                .anyMatch(p -> p.name().startsWith("variational_dropout/")), "the gates' logits are checked exactly in the variant");
        TrainingObjective objective = PenalizedObjective.around(TrainingObjective.of(model), built.parameters().penalties());
        Gradients[] last = new Gradients[1];
        GradientChecker.Forward forward = graph -> {
            Gradients gradients = new Gradients();
            last[0] = gradients;
            Pass pass = new Pass(graph, batch, gradients);
            return objective.loss(pass, model.forward(pass), 1f / batch.numRows());
        };
        Gradients initial = gradientsAt(forward, last);
        List<Variable> variables = new ArrayList<>();
        List<Supplier<float[]>> analytic = new ArrayList<>();
        for (Parameter p : built.parameters().trainable()) {
            int n = Math.min(p.size(), VALUES_PER_PARAMETER);
            int from = largestWindow(initial.denseGradients().get(p), n);
            Variable variable = Variable.of(p.name() + "[" + from + ".." + (from + n) + ")", p.value(), from, n);
            variables.add(nearNoiseAtInitialisation(p.name()) ? variable.allowingZeroGradient() : variable);
            analytic.add(() -> {
                float[] g = last[0].denseGradients().get(p);
                return g == null ? null : Arrays.copyOfRange(g, from, from + n);
            });
        }
        for (EmbeddingTable table : built.parameters().tables()) {
            // the rows the batch's first examples use (allocated above), each a variable of dim floats
            for (int slot = 0; slot < Math.min(3, table.size()); slot++) {
                int s = slot;
                Variable variable = Variable.of(table.name() + "[" + table.idAt(slot) + "]", table.values(slot), table.offset(slot), table.dim());
                variables.add(biasesCancelAtInitialisation(name, table) ? variable.allowingZeroGradient() : variable);
                analytic.add(() -> {
                    SparseGradient g = last[0].sparseGradients().get(table);
                    int offset = g == null ? -1 : g.offsetIfPresent(s);
                    return offset < 0 ? null : Arrays.copyOfRange(g.rows(), offset, offset + table.dim());
                });
            }
        }
        double step = name.equals(DSSM_SELF_ATTENTION) ? SELF_ATTENTION_STEP : STEP;
        GradientChecker.Result result = GradientChecker.check(name, GradientChecker.DEFAULT.withStep(step).withTolerance(2e-2, ABSOLUTE_TOLERANCE),
                forward, variables, v -> analytic.get(v).get());
        List<String> weak = new ArrayList<>();
        for (int v = 0; v < variables.size(); v++) {
            double norm = norm(result.analytic()[v]);
            if (!(norm >= SIGNIFICANT) && !variables.get(v).mayBeZero()) {
                weak.add(String.format("%s: %.3g", variables.get(v).name(), norm));
            }
        }
        assertTrue(weak.isEmpty(), name + ": the analytic gradients of " + weak.size() + " checked variables are below " + SIGNIFICANT
                + " (ten times the absolute tolerance), where a dropped gradient would pass the check: " + weak);
    }

    /**
     * The first {@link #IN_BATCH_ROWS} clicks: the in-batch losses read only the positive rows' users,
     * and the check reads the embeddings of the batch's first ids, which must all count.
     */
    private static Examples inBatchRows() {
        Examples test = ZooFixture.data().test();
        float[] clicks = test.label("click");
        return test.select(IntStream.range(0, clicks.length).filter(r -> clicks[r] > 0).limit(IN_BATCH_ROWS).toArray());
    }

    /**
     * Softmax gates (MMoE, PLE), DIN's attention network and the sequence encoder's query and key
     * projections (scores near 0, so near-uniform attention) weigh near-identical experts or
     * behaviours at initialisation, so their gradients there are at the float32 noise floor: they are
     * still compared with the central differences, but not required to be significant.
     */
    private static boolean nearNoiseAtInitialisation(String parameter) {
        return parameter.contains("/gate/") || parameter.contains("/attention/")
                || parameter.startsWith("sequence_encoder/") && (parameter.contains("/query/") || parameter.contains("/key/"));
    }

    /**
     * MF-BPR against every other item of the batch: an item's bias gains as a negative of the other
     * rows what it loses as its own row's positive, and at initialisation (near-equal scores) the two
     * cancel to the noise. The sampled variant, whose negatives are uneven, checks the biases.
     */
    private static boolean biasesCancelAtInitialisation(String model, EmbeddingTable table) {
        return model.equals("mf_bpr") && table.dim() == 1;
    }

    /** The gradients of one forward and backward pass at the current values. */
    private static Gradients gradientsAt(GradientChecker.Forward forward, Gradients[] last) {
        Graph graph = new Graph(true, GradientChecker.GRAPH_SEED);
        graph.backward(forward.run(graph));
        return last[0];
    }

    /** Where the window of n values with the largest gradient norm starts. */
    private static int largestWindow(float[] gradient, int n) {
        if (gradient == null) {
            return 0;
        }
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += (double) gradient[k] * gradient[k];
        }
        double best = sum;
        int from = 0;
        for (int k = n; k < gradient.length; k++) {
            sum += (double) gradient[k] * gradient[k] - (double) gradient[k - n] * gradient[k - n];
            if (sum > best) {
                best = sum;
                from = k - n + 1;
            }
        }
        return from;
    }

    private static double norm(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }
}
