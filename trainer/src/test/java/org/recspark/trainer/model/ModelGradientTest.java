package org.recspark.trainer.model;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.recspark.trainer.data.Examples;
import org.recspark.trainer.embedding.EmbeddingTable;
import org.recspark.trainer.embedding.SparseGradient;
import org.recspark.trainer.nn.Gradients;
import org.recspark.trainer.nn.Parameter;
import org.recspark.trainer.nn.Pass;
import org.recspark.trainer.tensor.GradientChecker;
import org.recspark.trainer.tensor.GradientChecker.Variable;

/**
 * Numerical gradient checks through whole models, loss included: the composed layers (DCNv2 cross
 * layers, DIN's attention, the FM term, expert gates, DSSM's in-batch softmax with its log-Q
 * correction) w.r.t. dense parameters and the embedding rows of the batch.
 */
class ModelGradientTest {
    // A small step keeps perturbations from crossing ReLU kinks; float32 noise stays below the tolerance.
    /** Values checked per dense parameter (the first ones), to bound the number of forward passes. */
    private static final int VALUES_PER_PARAMETER = 24;

    private static String config(String model) {
        return switch (model) {
            case "deepfm" -> ZooConfigs.DEEPFM;
            case "dcn_v2_full" -> ZooConfigs.dcnV2(0, false);
            case "dcn_v2_low_rank_stacked" -> ZooConfigs.dcnV2(4, true);
            case "din" -> ZooConfigs.DIN;
            case "mmoe" -> ZooConfigs.MMOE;
            case "esmm" -> ZooConfigs.ESMM;
            case "dbmtl" -> ZooConfigs.DBMTL;
            case "ple" -> ZooConfigs.PLE;
            case "dssm_in_batch" -> ZooConfigs.dssm(true, true, "[16, 8]");
            default -> throw new IllegalArgumentException(model);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"deepfm", "dcn_v2_full", "dcn_v2_low_rank_stacked", "din", "mmoe", "esmm", "dbmtl", "ple", "dssm_in_batch"})
    void lossGradientsMatchCentralDifferences(String name) {
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(config(name)), 11);
        Examples batch = ZooFixture.data().test().slice(0, 24);
        built.parameters().allocateRows(batch);
        Model model = built.model();
        Gradients[] last = new Gradients[1];
        GradientChecker.Forward forward = graph -> {
            Gradients gradients = new Gradients();
            last[0] = gradients;
            Pass pass = new Pass(graph, batch, gradients);
            return model.loss(pass, model.forward(pass), 1f / batch.numRows());
        };
        List<Variable> variables = new ArrayList<>();
        List<java.util.function.Supplier<float[]>> analytic = new ArrayList<>();
        for (Parameter p : built.parameters().trainable()) {
            int n = Math.min(p.size(), VALUES_PER_PARAMETER);
            variables.add(Variable.of(p.name(), p.value(), 0, n).allowingZeroGradient());
            analytic.add(() -> last[0].denseGradients().get(p));
        }
        for (EmbeddingTable table : built.parameters().tables()) {
            // the rows the batch's first examples use (allocated above), each a variable of dim floats
            for (int slot = 0; slot < Math.min(3, table.size()); slot++) {
                int s = slot;
                variables.add(Variable.of(table.name() + "[" + table.idAt(slot) + "]", table.values(slot), table.offset(slot), table.dim())
                        .allowingZeroGradient());
                analytic.add(() -> {
                    SparseGradient g = last[0].sparseGradients().get(table);
                    int offset = g == null ? -1 : g.offsetIfPresent(s);
                    return offset < 0 ? null : java.util.Arrays.copyOfRange(g.rows(), offset, offset + table.dim());
                });
            }
        }
        GradientChecker.check(name, GradientChecker.DEFAULT.withStep(1e-4).withTolerance(2e-2, 2e-3), forward, variables,
                v -> analytic.get(v).get());
    }
}
