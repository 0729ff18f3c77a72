package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.ModelParameters;
import org.recspark.trainer.model.ZooConfigs;
import org.recspark.trainer.model.ZooFixture;
import org.recspark.trainer.train.ForwardingWorkerGroup;
import org.recspark.trainer.train.Trainer;
import org.recspark.trainer.train.TrainingListener;
import org.recspark.trainer.train.WorkerGroup;

/**
 * The workers' agreement on stopping: a round trip of the group, counted in the step profile as sync, made after
 * every step or only at the trainer's stop points (and epoch ends), where both workers stop together.
 */
class StopAgreementTest {
    private static final PipelineConfig CONFIG = ZooFixture.parse(ZooConfigs.DEEPFM, ZooFixture.trainConfig(256, 2));

    /** A group that counts its stop agreements and makes each take at least {@code delayNanos}. */
    private static final class CountedAgreement extends ForwardingWorkerGroup {
        private final long delayNanos;
        int agreements;

        CountedAgreement(WorkerGroup group, long delayNanos) {
            super(group);
            this.delayNanos = delayNanos;
        }

        @Override
        public boolean anyOf(boolean value) {
            agreements++;
            long until = System.nanoTime() + delayNanos;
            while (System.nanoTime() < until) {
                LockSupport.parkNanos(until - System.nanoTime());
            }
            return super.anyOf(value);
        }
    }

    record Run(long steps, int agreements, double syncSeconds, double totalSeconds, long checksum) {}

    /** Trains each rank's partition (rows r, r + n, ...) with its listener (null: none) and the given stop points. */
    private static List<LoopbackRing.Outcome<Run>> train(int workers, long stopPointEvery, long delayNanos, List<TrainingListener> listeners) {
        Examples all = ZooFixture.data().train();
        long[] sizes = new long[workers];
        for (int r = 0; r < workers; r++) {
            int rank = r;
            sizes[r] = IntStream.range(0, all.numRows()).filter(i -> i % workers == rank).count();
        }
        return LoopbackRing.run(workers, CollectiveSettings.defaults(), ring -> {
            int rank = ring.member().rank();
            Examples partition = all.select(IntStream.range(0, all.numRows()).filter(i -> i % workers == rank).toArray());
            ModelParameters params = new ModelParameters(CONFIG.getTrainConfig().getSeed());
            Model model = ModelFactory.create(new ModelContext(CONFIG, ZooFixture.data().generator().schema(), params));
            try (CollectiveWorkerGroup group = new CollectiveWorkerGroup(ring, sizes);
                 Trainer trainer = new Trainer(CONFIG.getTrainConfig(), model, params, 1)) {
                CountedAgreement counted = new CountedAgreement(group, delayNanos);
                trainer.withWorkers(counted).withStopPoints(stopPointEvery);
                trainer.fit(partition, listeners.get(rank));
                return new Run(trainer.state().globalStep(), counted.agreements, trainer.profile().syncSeconds(),
                        trainer.profile().totalSeconds(), params.weightChecksum());
            }
        });
    }

    /** Worker 0's listener, asking to stop after {@code step}. */
    private static TrainingListener stopAfter(long step) {
        return new TrainingListener() {
            @Override
            public boolean afterStep(Trainer trainer, double loss) {
                return trainer.state().globalStep() != step;
            }
        };
    }

    @Test
    void everyStepsAgreementIsPartOfItsSync() {
        long delay = TimeUnit.MILLISECONDS.toNanos(3);
        Run run = LoopbackRing.values(train(1, 1, delay, Collections.singletonList(null))).get(0);
        assertTrue(run.steps() > 0, "the run took steps");
        assertEquals(run.steps() + 2, run.agreements(), "one agreement a step and one an epoch");
        double agreements = run.agreements() * delay / 1e9;
        assertTrue(run.syncSeconds() >= run.steps() * delay / 1e9,
                "sync " + run.syncSeconds() + " s holds the " + run.steps() + " steps' agreements, " + agreements + " s in all");
        assertTrue(run.totalSeconds() >= run.syncSeconds(), "the profile's total, which the throughput divides by, includes its sync");
    }

    @Test
    void workersAgreeOnlyAtStopPointsAndStopThereTogether() {
        List<Run> all = LoopbackRing.values(train(2, 4, 0, Arrays.asList(null, null)));
        long steps = all.get(0).steps();
        for (Run r : all) {
            assertEquals(steps, r.steps(), "both workers train every step");
            assertEquals(steps / 4 + 2, r.agreements(), "an agreement every 4 steps and one an epoch, not one a step");
        }
        List<Run> stopped = LoopbackRing.values(train(2, 4, 0, Arrays.asList(stopAfter(8), null)));
        assertEquals(8, stopped.get(0).steps(), "worker 0 stops where its listener asks");
        assertEquals(8, stopped.get(1).steps(), "worker 1, which has no listener, stops with it");
        assertEquals(stopped.get(0).checksum(), stopped.get(1).checksum(), "with the same weights");
    }

    @Test
    void aStopBetweenStopPointsFailsNamingTheStep() {
        List<LoopbackRing.Outcome<Run>> outcomes = train(2, 4, 0, Arrays.asList(stopAfter(6), null));
        Throwable error = outcomes.get(0).error();
        assertNotNull(error, "worker 0 fails");
        assertInstanceOf(IllegalStateException.class, error);
        assertTrue(error.getMessage().contains("after step 6, which is not a stop point of the 2 workers (every 4 steps)"), error.getMessage());
        assertNotNull(outcomes.get(1).error(), "worker 1 fails too rather than waiting for it");
    }
}
