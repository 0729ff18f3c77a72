package org.recspark.hpo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.recspark.hpo.space.ParameterSpace;
import org.recspark.hpo.stopping.LearningCurve;
import org.recspark.hpo.trial.TrialExecutor;
import org.recspark.hpo.trial.TrialOutcome;
import org.recspark.hpo.trial.TrialSpec;
import org.recspark.hpo.trial.TrialStatus;

/**
 * A trial executor without training, for scheduling tests: a trial's "auc" is a smooth function of
 * the synthetic search space's point (see the sampler tests' objective), reported over three
 * evaluations. SIGMOID trials throw, as a broken executor would. Counts runs and the most trials
 * running at once; can sleep a deterministic, trial-dependent time to shuffle finishing order.
 */
final class FakeTrials implements TrialExecutor {
    private final ParameterSpace space;
    private final boolean sleep;
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final Map<Integer, Path> runDirs = new ConcurrentHashMap<>();
    final Map<Integer, Integer> earlierSeen = new ConcurrentHashMap<>();

    FakeTrials(ParameterSpace space, boolean sleep) {
        this.space = space;
        this.sleep = sleep;
    }

    static double auc(double[] p) {
        double dropout = (p[0] - 0.3) / 0.6;
        double lr = (Math.log10(p[1]) + 2.5) / 2.5;
        double units = (Math.log(p[2]) / Math.log(2) - 7) / 3;
        return 0.8 - 0.05 * (dropout * dropout + lr * lr + units * units) - (p[3] == 2 ? 0 : 0.02);
    }

    @Override
    public TrialOutcome run(TrialSpec spec, Path runDir) {
        runs.incrementAndGet();
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            runDirs.put(spec.number(), runDir);
            earlierSeen.put(spec.number(), spec.earlierCurves().size());
            if (sleep) {
                Thread.sleep(5 + (spec.number() * 37) % 40);
            }
            if (spec.params().get("model_config.deepfm.dnn.activation").equals("SIGMOID")) {
                throw new IllegalStateException("executor lost trial " + spec.number());
            }
            double auc = auc(space.parse(spec.params()));
            List<LearningCurve.Point> points = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                points.add(new LearningCurve.Point(10L * i, 1280L * i, auc - 0.01 * (3 - i)));
            }
            return new TrialOutcome(TrialStatus.COMPLETED, auc, new LearningCurve(points), 30, 0.01, "completed train_config.num_epochs 1",
                    null, runDir.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            running.decrementAndGet();
        }
    }
}
