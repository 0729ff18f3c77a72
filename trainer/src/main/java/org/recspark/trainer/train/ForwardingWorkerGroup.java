package org.recspark.trainer.train;

import org.recspark.model.nn.ModelParameters;
import org.recspark.trainer.optim.DenseOptimizer;
import org.recspark.trainer.optim.SparseOptimizer;

/**
 * A {@link WorkerGroup} that passes every call to another, for a wrapper that changes one of them (a worker that
 * fails at a given step, a test that counts or slows a collective), as Guava's forwarding collections do.
 */
public abstract class ForwardingWorkerGroup implements WorkerGroup {
    private final WorkerGroup delegate;

    protected ForwardingWorkerGroup(WorkerGroup delegate) {
        this.delegate = delegate;
    }

    @Override
    public int rank() {
        return delegate.rank();
    }

    @Override
    public int size() {
        return delegate.size();
    }

    @Override
    public long[] partitionRows() {
        return delegate.partitionRows();
    }

    @Override
    public StepExchange startStep(ModelParameters params) {
        return delegate.startStep(params);
    }

    @Override
    public void gatherOptimizerState(DenseOptimizer dense, SparseOptimizer sparse, ModelParameters params) {
        delegate.gatherOptimizerState(dense, sparse, params);
    }

    @Override
    public boolean anyOf(boolean value) {
        return delegate.anyOf(value);
    }

    @Override
    public void requireEqual(long value, String what) {
        delegate.requireEqual(value, what);
    }
}
