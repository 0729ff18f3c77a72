package org.recspark.trainer.retrieval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs one worker on n daemon threads at once (the caller's thread when n is 1) and rethrows the first failure. */
final class ParallelWorkers {
    private ParallelWorkers() {
    }

    static void run(Runnable worker, int n, String threadName) {
        if (n == 1) {
            worker.run();
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(worker));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during top-K retrieval", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("top-K retrieval failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
