package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.nn.ModelParameters;
import org.recspark.trainer.model.ZooConfigs;
import org.recspark.trainer.model.ZooFixture;
import org.recspark.trainer.optim.DenseOptimizer;
import org.recspark.trainer.optim.SparseOptimizer;
import org.recspark.trainer.train.Trainer;
import org.recspark.trainer.train.WorkerGroup;

/**
 * The workers agree on stopping with a round trip after every step; the step profile, from which the
 * throughput is computed, counts that time as the step's sync rather than leaving it out.
 */
class StopAgreementProfileTest {
    private static final long AGREEMENT_NANOS = TimeUnit.MILLISECONDS.toNanos(3);

    /** A group whose stop agreement takes at least {@link #AGREEMENT_NANOS}, as a slow peer makes it. */
    private record SlowAgreement(WorkerGroup group) implements WorkerGroup {
        @Override
        public int rank() {
            return group.rank();
        }

        @Override
        public int size() {
            return group.size();
        }

        @Override
        public long[] partitionRows() {
            return group.partitionRows();
        }

        @Override
        public StepExchange startStep(ModelParameters params) {
            return group.startStep(params);
        }

        @Override
        public void gatherOptimizerState(DenseOptimizer dense, SparseOptimizer sparse, ModelParameters params) {
            group.gatherOptimizerState(dense, sparse, params);
        }

        @Override
        public boolean anyOf(boolean value) {
            long until = System.nanoTime() + AGREEMENT_NANOS;
            while (System.nanoTime() < until) {
                LockSupport.parkNanos(until - System.nanoTime());
            }
            return group.anyOf(value);
        }

        @Override
        public void requireEqual(long value, String what) {
            group.requireEqual(value, what);
        }
    }

    @Test
    void everyStepsStopAgreementIsPartOfItsSync() {
        PipelineConfig config = ZooFixture.parse(ZooConfigs.DEEPFM, ZooFixture.trainConfig(256, 1));
        long[] partition = {ZooFixture.data().train().numRows()};
        double[] syncAndSteps = LoopbackRing.values(LoopbackRing.run(1, CollectiveSettings.defaults(), ring -> {
            ModelParameters params = new ModelParameters(config.getTrainConfig().getSeed());
            Model model = ModelFactory.create(new ModelContext(config, ZooFixture.data().generator().schema(), params));
            try (CollectiveWorkerGroup group = new CollectiveWorkerGroup(ring, partition);
                 Trainer trainer = new Trainer(config.getTrainConfig(), model, params, 1)) {
                trainer.withWorkers(new SlowAgreement(group));
                trainer.fit(ZooFixture.data().train(), null);
                return new double[]{trainer.profile().syncSeconds(), trainer.profile().steps(), trainer.profile().totalSeconds()};
            }
        })).get(0);
        double steps = syncAndSteps[1];
        assertTrue(steps > 0, "the run took steps");
        double agreements = steps * AGREEMENT_NANOS / 1e9;
        assertTrue(syncAndSteps[0] >= agreements,
                "sync " + syncAndSteps[0] + " s holds the " + steps + " steps' agreements of " + agreements + " s or more");
        assertTrue(syncAndSteps[2] >= syncAndSteps[0], "the profile's total, which the throughput divides by, includes its sync");
    }
}
