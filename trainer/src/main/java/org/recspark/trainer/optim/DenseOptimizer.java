package org.recspark.trainer.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.Optimizer;
import org.recspark.model.nn.Parameter;

/**
 * Updates dense parameters from their (merged) gradients: SGD with momentum (optionally Nesterov),
 * Adagrad, Adam, or AdamW (decoupled weight decay). The L2 penalty of the config adds l2 * w to each
 * gradient. State (moments, accumulators) is kept per parameter name, so it can be checkpointed.
 * Every update is per coordinate, so a parameter may be updated in slices ({@link #update}) with the
 * same result as whole; data-parallel workers each update their own slices (ZeRO-1).
 */
public final class DenseOptimizer {
    private final Optimizer config;
    private final LearningRateSchedule schedule;
    private final Map<String, float[][]> state = new LinkedHashMap<>();
    private long steps;
    private double stepLearningRate;

    private DenseOptimizer(Optimizer config) {
        this.config = config;
        this.schedule = new LearningRateSchedule(config.getLearningRate());
    }

    /** @param path the config path, named when the optimizer does not apply to dense parameters */
    public static DenseOptimizer of(Optimizer config, String path) {
        Optimizer effective = config.getKindCase() == Optimizer.KindCase.KIND_NOT_SET
                ? config.toBuilder().setAdam(config.getAdam()).build() : config;
        switch (effective.getKindCase()) {
            case LAZY_ADAM, FTRL -> throw new ConfigException(List.of(new Violation(path,
                    effective.getKindCase().name().toLowerCase(java.util.Locale.ROOT) + " is for embedding tables; dense parameters take sgd, adagrad, adam or adamw")));
            default -> {
                return new DenseOptimizer(effective);
            }
        }
    }

    public long steps() {
        return steps;
    }

    public double learningRate() {
        return schedule.at(steps);
    }

    /** One update of every parameter that has a gradient; parameters without one are left alone. */
    public void step(List<Parameter> parameters, Map<Parameter, float[]> gradients) {
        beginStep();
        for (Parameter p : parameters) {
            float[] g = gradients.get(p);
            if (g != null) {
                update(p, 0, p.size(), g, 0);
            }
        }
    }

    /**
     * Starts a step whose updates come range by range through {@link #update}, as in a sharded
     * update where each worker updates its own slice of every parameter: fixes this step's learning
     * rate and advances the step count.
     */
    public void beginStep() {
        stepLearningRate = schedule.at(steps);
        steps++;
    }

    /**
     * Updates coordinates [from, to) of {@code p} from the gradient at g[gOffset..], which it may
     * change (the L2 penalty is added in place); only that slice of the state is read or written.
     */
    public void update(Parameter p, int from, int to, float[] g, int gOffset) {
        float[] w = p.value();
        double lr = stepLearningRate;
        double l2 = config.getL2();
        if (l2 > 0) {
            for (int i = from; i < to; i++) {
                g[gOffset + i - from] += (float) (l2 * w[i]);
            }
        }
        switch (config.getKindCase()) {
            case SGD -> sgd(p, w, from, to, g, gOffset, lr);
            case ADAGRAD -> adagrad(p, w, from, to, g, gOffset, lr);
            case ADAM -> adam(p, w, from, to, g, gOffset, lr, config.getAdam().getBeta1(), config.getAdam().getBeta2(),
                    config.getAdam().getEpsilon(), 0);
            case ADAMW -> adam(p, w, from, to, g, gOffset, lr, config.getAdamw().getBeta1(), config.getAdamw().getBeta2(),
                    config.getAdamw().getEpsilon(), config.getAdamw().getWeightDecay());
            default -> throw new IllegalStateException("unsupported dense optimizer " + config.getKindCase());
        }
    }

    /**
     * The state arrays of {@code p} (moments, accumulators; none for plain SGD), each of the
     * parameter's size, created at their initial values on first use.
     */
    public float[][] stateOf(Parameter p) {
        return switch (config.getKindCase()) {
            case SGD -> config.getSgd().getMomentum() == 0 ? new float[0][] : state(p, 1, 0);
            case ADAGRAD -> state(p, 1, (float) config.getAdagrad().getInitialAccumulator());
            case ADAM, ADAMW -> state(p, 2, 0);
            default -> throw new IllegalStateException("unsupported dense optimizer " + config.getKindCase());
        };
    }

    private float[][] state(Parameter p, int slots, float initial) {
        return state.computeIfAbsent(p.name(), k -> {
            float[][] s = new float[slots][p.size()];
            if (initial != 0) {
                for (float[] row : s) {
                    java.util.Arrays.fill(row, initial);
                }
            }
            return s;
        });
    }

    private void sgd(Parameter p, float[] w, int from, int to, float[] g, int go, double lr) {
        double momentum = config.getSgd().getMomentum();
        if (momentum == 0) {
            for (int i = from; i < to; i++) {
                w[i] -= (float) (lr * g[go + i - from]);
            }
            return;
        }
        float[] v = state(p, 1, 0)[0];
        boolean nesterov = config.getSgd().getNesterov();
        for (int i = from; i < to; i++) {
            float gi = g[go + i - from];
            v[i] = (float) (momentum * v[i] + gi);
            double d = nesterov ? gi + momentum * v[i] : v[i];
            w[i] -= (float) (lr * d);
        }
    }

    private void adagrad(Parameter p, float[] w, int from, int to, float[] g, int go, double lr) {
        float[] acc = state(p, 1, (float) config.getAdagrad().getInitialAccumulator())[0];
        for (int i = from; i < to; i++) {
            float gi = g[go + i - from];
            acc[i] += gi * gi;
            w[i] -= (float) (lr * gi / (Math.sqrt(acc[i]) + 1e-10));
        }
    }

    private void adam(Parameter p, float[] w, int from, int to, float[] g, int go, double lr, double beta1, double beta2, double eps,
            double weightDecay) {
        float[][] s = state(p, 2, 0);
        if (weightDecay > 0) {
            float decay = (float) (lr * weightDecay);
            for (int i = from; i < to; i++) {
                w[i] -= decay * w[i];
            }
        }
        new AdamStep(lr, beta1, beta2, eps, steps).apply(w, from, s[0], from, s[1], from, g, go, to - from);
    }

    /** State arrays by "<parameter>#<index>", for checkpoints. */
    public Map<String, float[]> stateByName() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, float[][]> e : state.entrySet()) {
            for (int i = 0; i < e.getValue().length; i++) {
                out.put(e.getKey() + "#" + i, e.getValue()[i]);
            }
        }
        return out;
    }

    /** Restores state written by {@link #stateByName()} and the step count. */
    public void restore(Map<String, float[]> byName, long restoredSteps) {
        state.clear();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String key : byName.keySet()) {
            String param = key.substring(0, key.lastIndexOf('#'));
            counts.merge(param, 1, Integer::sum);
        }
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            float[][] s = new float[e.getValue()][];
            for (int i = 0; i < s.length; i++) {
                s[i] = byName.get(e.getKey() + "#" + i).clone();
            }
            state.put(e.getKey(), s);
        }
        this.steps = restoredSteps;
    }
}
