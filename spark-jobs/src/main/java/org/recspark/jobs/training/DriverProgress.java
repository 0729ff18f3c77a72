package org.recspark.jobs.training;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.recspark.trainer.eval.TrainingProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Logs a distributed run's progress on the driver while the barrier tasks train: worker 0 puts a
 * {@link TrainingProgress} snapshot into a {@link TrainingProgressAccumulator} after every step,
 * each executor heartbeat ({@code spark.executor.heartbeatInterval}, 10 s by default) brings the
 * running task's latest snapshot to the driver, and this listener logs the step of the planned
 * steps, samples/s and mean loss since the previous line, the ETA and the latest evaluation: at each
 * new evaluation, otherwise at most every {@link #MIN_LOG_INTERVAL_SECONDS} s. The heartbeat interval
 * is both the cadence and the latency of what the driver shows. {@link #close} logs the final
 * snapshot, which the successful task's result brings.
 *
 * <p>Spark delivers listener events on its listener-bus thread; the observer is called there.
 */
public final class DriverProgress extends SparkListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DriverProgress.class);
    /** Floor on the time between two progress lines without a new evaluation, for short heartbeat intervals. */
    static final long MIN_LOG_INTERVAL_SECONDS = 5;

    private final SparkContext sparkContext;
    private final TrainingProgressAccumulator accumulator = new TrainingProgressAccumulator();
    private final Consumer<TrainingProgress> observer;
    private TrainingProgress received;
    private TrainingProgress logged;
    private long loggedNanos;

    private DriverProgress(SparkContext sparkContext, Consumer<TrainingProgress> observer) {
        this.sparkContext = sparkContext;
        this.observer = observer;
    }

    /**
     * Starts following a run: the tasks add to {@link #accumulator()}.
     *
     * @param observer sees every new snapshot that reaches the driver, in order
     */
    public static DriverProgress follow(SparkContext sparkContext, Consumer<TrainingProgress> observer) {
        DriverProgress progress = new DriverProgress(sparkContext, observer);
        // Named, so the Spark UI's stage page and event logs show the final snapshot.
        sparkContext.register(progress.accumulator, "recspark training progress");
        sparkContext.addSparkListener(progress);
        return progress;
    }

    /** What worker 0's task adds its snapshots to (serialized with the task; the others leave it empty). */
    TrainingProgressAccumulator accumulator() {
        return accumulator;
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task
                : CollectionConverters.asJava(update.accumUpdates())) {
            for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
                if (info.id() == accumulator.id() && info.update().isDefined() && info.update().get() instanceof TrainingProgress p) {
                    receive(p, false);
                }
            }
        }
    }

    /** Stops following; logs the final snapshot when worker 0's task succeeded. */
    @Override
    public void close() {
        sparkContext.removeSparkListener(this);
        TrainingProgress last = accumulator.value();
        if (last != null) {
            receive(last, true);
        }
    }

    private synchronized void receive(TrainingProgress p, boolean last) {
        // A heartbeat can reach the listener after the task's result, and carries nothing new while
        // worker 0 exports and tests after training.
        boolean fresh = !p.equals(received) && (received == null || !received.follows(p));
        if (fresh) {
            received = p;
            observer.accept(p);
        } else if (!last) {
            return;
        }
        long now = System.nanoTime();
        boolean newEvaluation = logged == null || p.evaluationStep() != logged.evaluationStep();
        if (last || newEvaluation || now - loggedNanos >= TimeUnit.SECONDS.toNanos(MIN_LOG_INTERVAL_SECONDS)) {
            LOG.info("{}: {}", last ? "Training ended" : "Training progress", describe(p, last ? null : logged));
            logged = p;
            loggedNanos = now;
        }
    }

    /** One progress line; rates are since {@code earlier} when it is an earlier snapshot of the same attempt. */
    static String describe(TrainingProgress p, TrainingProgress earlier) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "step %d of %d (%.0f%%), epoch %d", p.step(), p.plannedSteps(),
                p.plannedSteps() == 0 ? 0.0 : 100.0 * p.step() / p.plannedSteps(), p.epoch()));
        // After training, worker 0's final evaluation comes without new steps: nothing to rate.
        if (!p.follows(earlier) || p.runSteps() > earlier.runSteps()) {
            sb.append(String.format(Locale.ROOT, ", %.0f samples/s, loss %.5f", p.samplesPerSecondSince(earlier), p.meanLossSince(earlier)));
        }
        p.etaSeconds().ifPresent(eta -> sb.append(", ETA ").append(duration(Math.round(eta))));
        if (earlier != null && !p.follows(earlier) && p.runSteps() < p.step()) {
            sb.append(" (a new attempt, resumed at step ").append(p.step() - p.runSteps()).append(')');
        }
        if (p.evaluationStep() >= 0) {
            sb.append("; evaluation at step ").append(p.evaluationStep()).append(':');
            for (Map.Entry<String, Double> m : p.evaluationMetrics().entrySet()) {
                sb.append(' ').append(m.getKey()).append(' ').append(String.format(Locale.ROOT, "%.5f", m.getValue())).append(',');
            }
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60);
    }
}
