package org.recspark.trainer.optim;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.Optimizer;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;

/**
 * Updates embedding rows. SGD, Adagrad, lazy Adam and FTRL touch only the rows in the batch. Adam
 * follows the dense algorithm exactly: every allocated row's moments decay each step and every row
 * moves (as PyTorch's Adam does on an embedding with dense gradients), at a cost proportional to
 * the table; lazy Adam is the scalable choice for large tables. Per-row state lives in the table.
 */
public final class SparseOptimizer {
    private final Optimizer config;
    private final LearningRateSchedule schedule;
    private long steps;

    private SparseOptimizer(Optimizer config) {
        this.config = config;
        this.schedule = new LearningRateSchedule(config.getLearningRate());
    }

    /**
     * The optimizer the config names; {@code lazy_adam} when train_config.sparse_optimizer is left
     * unset, since on MovieLens it kept exact Adam's AUC while updating only the batch's rows
     * (bench/RESULTS.md, 2026-12-04).
     */
    public static SparseOptimizer of(Optimizer config, String path) {
        Optimizer effective = config.getKindCase() == Optimizer.KindCase.KIND_NOT_SET
                ? config.toBuilder().setLazyAdam(config.getLazyAdam()).build() : config;
        if (effective.getKindCase() == Optimizer.KindCase.ADAMW) {
            throw new ConfigException(List.of(new Violation(path,
                    "adamw is for dense parameters; embedding tables take sgd, adagrad, adam, lazy_adam or ftrl")));
        }
        return new SparseOptimizer(effective);
    }

    /** Sets up a table's per-row state; call before its first row is allocated. */
    public void attach(EmbeddingTable table) {
        int d = table.dim();
        switch (config.getKindCase()) {
            case SGD -> table.configureState(0, 0);
            case ADAGRAD -> table.configureState(d, (float) config.getAdagrad().getInitialAccumulator());
            case ADAM, LAZY_ADAM, FTRL -> table.configureState(2 * d, 0);
            default -> throw new IllegalStateException("unsupported sparse optimizer " + config.getKindCase());
        }
    }

    public long steps() {
        return steps;
    }

    public void setSteps(long restoredSteps) {
        this.steps = restoredSteps;
    }

    /**
     * Whether a step changes only the rows its gradient has (every kind but exact {@code adam}, which moves every
     * allocated row): then each row's update can run on one worker, its owner, alone.
     */
    public boolean updatesTouchedRowsOnly() {
        return config.getKindCase() != Optimizer.KindCase.ADAM;
    }

    /** Advances the step count (once per training step, after every table's update). */
    public void advance() {
        steps++;
    }

    /**
     * Applies one step to every table: its gradient in {@code gradients}, or an empty one for a table the step did
     * not touch (exact {@code adam} still moves that table's rows).
     */
    public void stepAll(Iterable<EmbeddingTable> tables, Map<EmbeddingTable, SparseGradient> gradients) {
        for (EmbeddingTable table : tables) {
            SparseGradient g = gradients.get(table);
            step(table, g != null ? g : new SparseGradient(table.dim()));
        }
    }

    /** Applies one step's gradient to a table (the step count is that of {@link #advance()}). */
    public void step(EmbeddingTable table, SparseGradient gradient) {
        double lr = schedule.at(steps);
        long t = steps + 1;
        int d = table.dim();
        float[] rows = gradient.rows();
        double l2 = config.getL2();
        if (l2 > 0) {
            for (int i = 0; i < gradient.size(); i++) {
                int slot = gradient.slot(i);
                float[] w = table.values(slot);
                int wo = table.offset(slot);
                for (int j = 0; j < d; j++) {
                    rows[i * d + j] += (float) (l2 * w[wo + j]);
                }
            }
        }
        switch (config.getKindCase()) {
            case SGD -> {
                for (int i = 0; i < gradient.size(); i++) {
                    int slot = gradient.slot(i);
                    float[] w = table.values(slot);
                    int wo = table.offset(slot);
                    for (int j = 0; j < d; j++) {
                        w[wo + j] -= (float) (lr * rows[i * d + j]);
                    }
                }
            }
            case ADAGRAD -> {
                for (int i = 0; i < gradient.size(); i++) {
                    int slot = gradient.slot(i);
                    float[] w = table.values(slot);
                    int wo = table.offset(slot);
                    float[] s = table.state(slot);
                    int so = table.stateOffset(slot);
                    for (int j = 0; j < d; j++) {
                        float g = rows[i * d + j];
                        s[so + j] += g * g;
                        w[wo + j] -= (float) (lr * g / (Math.sqrt(s[so + j]) + 1e-10));
                    }
                }
            }
            case LAZY_ADAM -> {
                var a = config.getLazyAdam();
                AdamStep adam = new AdamStep(lr, a.getBeta1(), a.getBeta2(), a.getEpsilon(), t);
                for (int i = 0; i < gradient.size(); i++) {
                    adamRow(table, gradient.slot(i), rows, i * d, adam);
                }
            }
            case ADAM -> {
                var a = config.getAdam();
                exactAdam(table, gradient, new AdamStep(lr, a.getBeta1(), a.getBeta2(), a.getEpsilon(), t), l2);
            }
            case FTRL -> {
                for (int i = 0; i < gradient.size(); i++) {
                    ftrlRow(table, gradient.slot(i), rows, i * d, lr);
                }
            }
            default -> throw new IllegalStateException("unsupported sparse optimizer " + config.getKindCase());
        }
    }

    /**
     * Adam over every allocated row, slot by slot through the table's chunks. The batch's rows are
     * found through a slot-indexed array filled once per step (a hash lookup per allocated row was a
     * fifth of the update's time on Frappe); rows outside the batch have no loss gradient, only the L2
     * penalty's (none without L2, so they all read one zero row).
     */
    private static void exactAdam(EmbeddingTable table, SparseGradient gradient, AdamStep adam, double l2) {
        int d = table.dim();
        int size = table.size();
        int[] gradientOffset = new int[size];
        Arrays.fill(gradientOffset, -1);
        for (int i = 0; i < gradient.size(); i++) {
            gradientOffset[gradient.slot(i)] = i * d;
        }
        float[] rows = gradient.rows();
        float[] penalty = new float[d];
        for (int slot = 0; slot < size; slot++) {
            float[] w = table.values(slot);
            int wo = table.offset(slot);
            float[] s = table.state(slot);
            int mo = table.stateOffset(slot);
            int go = gradientOffset[slot];
            if (go >= 0) {
                adam.apply(w, wo, s, mo, s, mo + d, rows, go, d);
            } else {
                if (l2 > 0) {
                    for (int j = 0; j < d; j++) {
                        penalty[j] = (float) (l2 * w[wo + j]);
                    }
                }
                adam.apply(w, wo, s, mo, s, mo + d, penalty, 0, d);
            }
        }
    }

    /** One Adam update of a table row from the gradient at g[go..go+dim). */
    private static void adamRow(EmbeddingTable table, int slot, float[] g, int go, AdamStep adam) {
        int d = table.dim();
        float[] s = table.state(slot);
        int mo = table.stateOffset(slot);
        adam.apply(table.values(slot), table.offset(slot), s, mo, s, mo + d, g, go, d);
    }

    /** FTRL-Proximal per coordinate (McMahan et al. 2013, with TensorFlow's beta and power). */
    private void ftrlRow(EmbeddingTable table, int slot, float[] g, int go, double lr) {
        var f = config.getFtrl();
        double power = -f.getLearningRatePower();
        int d = table.dim();
        float[] w = table.values(slot);
        int wo = table.offset(slot);
        float[] s = table.state(slot);
        int zo = table.stateOffset(slot);
        int no = zo + d;
        for (int j = 0; j < d; j++) {
            double gj = g[go + j];
            double n = s[no + j];
            double newN = n + gj * gj;
            double sigma = (Math.pow(newN, power) - Math.pow(n, power)) / lr;
            double z = s[zo + j] + gj - sigma * w[wo + j];
            s[zo + j] = (float) z;
            s[no + j] = (float) newN;
            double quadratic = (f.getBeta() + Math.pow(newN, power)) / lr + 2 * f.getL2();
            w[wo + j] = Math.abs(z) <= f.getL1() ? 0f : (float) ((Math.signum(z) * f.getL1() - z) / quadratic);
        }
    }
}
