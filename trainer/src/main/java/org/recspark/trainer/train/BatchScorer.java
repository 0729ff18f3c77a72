package org.recspark.trainer.train;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.recspark.model.Model;
import org.recspark.model.ModelOutput;
import org.recspark.model.TaskSpec;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Workspace;
import org.recspark.trainer.data.Batches;
import org.recspark.trainer.data.EvaluationData;

/**
 * Runs a model in evaluation mode (no dropout, running batch-norm statistics) over rows read batch
 * by batch, keeping only each row's predictions, labels and group key. A row's prediction depends
 * on the batch it is scored in (the GEMMs' blocking), so batches always start at multiples of the
 * batch size from the first row, whoever reads the rows.
 */
final class BatchScorer {
    /** Each scoring thread's buffers for fused ops (DIN's attention activations), reused from one batch to the next. */
    private static final ThreadLocal<Workspace> SCRATCH = ThreadLocal.withInitial(Workspace::new);
    private BatchScorer() {
    }

    /**
     * @param maxRows score only the first rows, when > 0
     * @param pool    scores up to {@code parallelism} batches at once on it; null scores in this thread
     */
    static ScoredRows score(Model model, EvaluationData data, int batchSize, long maxRows, ExecutorService pool, int parallelism) {
        int n = Math.toIntExact(maxRows > 0 ? Math.min(maxRows, data.numRows()) : data.numRows());
        Map<String, float[]> predictions = new LinkedHashMap<>();
        for (TaskSpec task : model.tasks()) {
            predictions.put(task.name(), new float[n]);
        }
        Map<String, float[]> labels = new LinkedHashMap<>();
        long[][] groupKeys = {null};
        Deque<Future<?>> inFlight = new ArrayDeque<>();
        int start = 0;
        try (Batches batches = data.batches(batchSize)) {
            while (start < n && batches.hasNext()) {
                Examples read = batches.next();
                Examples batch = start + read.numRows() > n ? read.slice(0, n - start) : read;
                int from = start;
                start += batch.numRows();
                keepLabels(model, batch, from, n, labels, groupKeys);
                Runnable work = () -> {
                    Workspace scratch = SCRATCH.get();
                    scratch.begin();
                    ModelOutput output = model.forward(new Pass(new Graph(false, 0, null, scratch), batch, null));
                    for (TaskSpec task : model.tasks()) {
                        System.arraycopy(output.predictions(task), 0, predictions.get(task.name()), from, batch.numRows());
                    }
                };
                if (pool == null) {
                    work.run();
                } else {
                    if (inFlight.size() >= parallelism) {
                        await(inFlight.removeFirst());
                    }
                    inFlight.addLast(pool.submit(work));
                }
            }
            while (!inFlight.isEmpty()) {
                await(inFlight.removeFirst());
            }
        } catch (RuntimeException e) {
            inFlight.forEach(f -> f.cancel(true));
            throw e;
        }
        if (start != n) {
            throw new IllegalStateException("the rows to score ended after " + start + " of " + n + " announced rows");
        }
        return new ScoredRows(n, predictions, labels, groupKeys[0]);
    }

    private static void keepLabels(Model model, Examples batch, int from, int n, Map<String, float[]> labels, long[][] groupKeys) {
        for (TaskSpec task : model.tasks()) {
            if (batch.hasLabel(task.label())) {
                System.arraycopy(batch.label(task.label()), 0, labels.computeIfAbsent(task.name(), t -> new float[n]), from, batch.numRows());
            }
        }
        if (batch.groupKeys() != null) {
            if (groupKeys[0] == null) {
                groupKeys[0] = new long[n];
            }
            System.arraycopy(batch.groupKeys(), 0, groupKeys[0], from, batch.numRows());
        }
    }

    private static void await(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while predicting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("prediction failed", e.getCause());
        }
    }
}
