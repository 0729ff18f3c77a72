package org.recspark.trainer.data;

import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.recspark.model.data.Examples;

/**
 * Another reader's batches, taken from it by a background thread up to {@code ahead} batches before
 * the consumer asks for them, so assembling a batch (copying its rows out of the table held in
 * memory) overlaps the training step instead of preceding it. Same batches, same order. Closing
 * stops the thread and closes the reader it wraps. The consumer's methods are for one thread.
 */
final class AheadBatches implements Batches {
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue;
    private final Thread producer;
    private volatile boolean closed;
    private Object head;

    AheadBatches(String name, Batches source, int ahead) {
        if (ahead < 1) {
            throw new IllegalArgumentException("batches ahead must be >= 1, got " + ahead);
        }
        this.queue = new ArrayBlockingQueue<>(ahead);
        this.producer = new Thread(() -> produce(source), "recspark-batches-" + name);
        producer.setDaemon(true);
        producer.start();
    }

    private void produce(Batches source) {
        try (source) {
            while (!closed && source.hasNext()) {
                queue.put(source.next());
            }
            queue.put(END);
        } catch (InterruptedException e) {
            // closed by the consumer: nobody waits for more
        } catch (RuntimeException | Error e) {
            if (!closed) {
                queue.clear();
                queue.offer(new Failure(e));
            }
        }
    }

    @Override
    public boolean hasNext() {
        if (head == null) {
            try {
                head = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the next batch", e);
            }
        }
        if (head instanceof Failure f) {
            throw new IllegalStateException("cannot assemble the next batch: " + f.cause().getMessage(), f.cause());
        }
        return head != END;
    }

    @Override
    public Examples next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Examples batch = (Examples) head;
        head = null;
        return batch;
    }

    @Override
    public void close() {
        closed = true;
        producer.interrupt();
        queue.clear();
        try {
            producer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.clear();
    }

    private record Failure(Throwable cause) {}
}
