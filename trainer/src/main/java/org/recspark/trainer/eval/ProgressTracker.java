package org.recspark.trainer.eval;

import java.util.Map;
import org.recspark.trainer.train.Trainer;
import org.recspark.trainer.train.TrainingListener;

/**
 * The lead worker's training listener when someone follows the run's progress: the periodic
 * evaluator decides as before, and after each of its hooks a {@link TrainingProgress} snapshot goes
 * to the {@link ProgressListener}. Created just before {@link Trainer#fit}, after any restore, so
 * the run's counts start where this process starts.
 */
final class ProgressTracker implements TrainingListener {
    private final Trainer trainer;
    private final PeriodicEvaluator evaluator;
    private final ProgressListener listener;
    private final long startNanos = System.nanoTime();
    private final long startStep;
    private final long startSamples;
    private double lossSum;

    ProgressTracker(Trainer trainer, PeriodicEvaluator evaluator, ProgressListener listener) {
        this.trainer = trainer;
        this.evaluator = evaluator;
        this.listener = listener;
        this.startStep = trainer.state().globalStep();
        this.startSamples = trainer.state().samplesSeen();
    }

    @Override
    public boolean afterStep(Trainer t, double loss) {
        boolean goOn = evaluator.afterStep(t, loss);
        lossSum += loss;
        report();
        return goOn;
    }

    @Override
    public boolean afterEpoch(Trainer t) {
        boolean goOn = evaluator.afterEpoch(t);
        report();
        return goOn;
    }

    /** Sends the current snapshot (also after the run's final evaluation). */
    void report() {
        var state = trainer.state();
        var evaluation = evaluator.lastEvaluation();
        listener.progress(new TrainingProgress(state.globalStep(), trainer.plannedSteps(), state.epoch(), state.samplesSeen(),
                state.globalStep() - startStep, state.samplesSeen() - startSamples, (System.nanoTime() - startNanos) / 1e9, lossSum,
                evaluation.map(PeriodicEvaluator.Evaluation::step).orElse(-1L),
                evaluation.map(PeriodicEvaluator.Evaluation::metrics).orElse(Map.of())));
    }
}
