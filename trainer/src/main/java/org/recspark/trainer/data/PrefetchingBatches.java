package org.recspark.trainer.data;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.recspark.model.data.Examples;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches decoded ahead by a background thread: it reads the chunks in the given order, passes the
 * rows through a shuffle buffer (when given), assembles batches and keeps up to
 * {@value #PREFETCH_BATCHES} of them queued, so the consumer finds the next batch ready while it
 * trains on the current one, even across the pauses of opening a row group or of a busy machine.
 * The batches before {@code firstBatch} are read (the shuffle buffer's state depends on every row
 * before) but not assembled.
 *
 * <p>Memory: at most the buffer's rows plus {@value #PREFETCH_BATCHES} queued batches, the batch
 * being assembled, the next one taken off the queue by {@link #hasNext} and the one the consumer
 * holds until it asks for the next ({@link LiveRows} counts them). Each chunk must give
 * the rows its source announced, or the stream fails (the table changed since it was planned).
 * The consumer's methods are for one thread.
 */
final class PrefetchingBatches implements Batches {
    /** Batches decoded ahead of the one the consumer holds. */
    static final int PREFETCH_BATCHES = 8;
    private static final Logger LOG = LoggerFactory.getLogger(PrefetchingBatches.class);
    private static final Object END = new Object();
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(PREFETCH_BATCHES);
    private final LiveRows live;
    private final String name;
    private final boolean report;
    private final AtomicLong rowsRead = new AtomicLong();
    private final Thread producer;
    private volatile boolean closed;
    /** The decoding thread's CPU time when it ended, or -1 (not ended, or not measurable on this JVM). */
    private volatile long producerCpuNanos = -1;
    private Object head;
    private Examples current;

    /**
     * @param shuffle the shuffle buffer, or null to keep the chunks' row order
     * @param report  log, when closed, how many rows were read and the most held at once
     */
    PrefetchingBatches(String name, RowChunkSource source, int[] chunks, ShuffleBuffer<PackedRow> shuffle, PackedRowBatcher batcher,
                       int batchSize, long firstBatch, LiveRows live, boolean report) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.live = live;
        this.name = name;
        this.report = report;
        BatchAssembler assembler = new BatchAssembler(batcher, batchSize, firstBatch, this::put, live::release);
        producer = new Thread(() -> produce(source, chunks, shuffle, batcher.layout(), assembler), "recspark-decode-" + name);
        producer.setDaemon(true);
        producer.start();
    }

    private void produce(RowChunkSource source, int[] chunks, ShuffleBuffer<PackedRow> shuffle, RowLayout layout, BatchAssembler assembler) {
        try {
            PackedRowBuilder builder = new PackedRowBuilder(layout);
            for (int chunk : chunks) {
                long[] seen = {0};
                source.read(chunk, builder, row -> {
                    if (closed) {
                        throw new StreamClosed();
                    }
                    seen[0]++;
                    rowsRead.incrementAndGet();
                    live.add(1);
                    if (shuffle == null) {
                        assembler.accept(row);
                    } else {
                        shuffle.offer(row, assembler::accept);
                    }
                });
                if (seen[0] != source.rows(chunk)) {
                    throw new IllegalStateException("chunk " + chunk + " gave " + seen[0] + " rows where " + source.rows(chunk)
                            + " were planned: the samples changed while training read them");
                }
            }
            if (shuffle != null) {
                shuffle.drain(assembler::accept);
            }
            assembler.flush();
            producerCpuNanos = CPU.isCurrentThreadCpuTimeSupported() ? CPU.getCurrentThreadCpuTime() : -1;
            put(END);
        } catch (StreamClosed e) {
            // the consumer closed the stream: nobody waits for more
        } catch (IOException | RuntimeException | Error e) {
            if (!closed) {
                queue.clear();
                queue.offer(new Failure(e));
            }
        }
    }

    private void put(Object item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            throw new StreamClosed();
        }
    }

    @Override
    public boolean hasNext() {
        if (head == null) {
            try {
                head = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for decoded rows", e);
            }
        }
        if (head instanceof Failure f) {
            throw new IllegalStateException("cannot read the rows: " + f.cause().getMessage(), f.cause());
        }
        return head != END;
    }

    @Override
    public Examples next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        releaseCurrent();
        current = (Examples) head;
        head = null;
        return current;
    }

    private void releaseCurrent() {
        if (current != null) {
            live.release(current.numRows());
            current = null;
        }
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
        releaseCurrent();
        if (report) {
            long cpu = producerCpuNanos;
            LOG.info("Stream {}: {} rows decoded, at most {} decoded rows held at once{}", name, rowsRead.get(), live.peak(),
                    cpu < 0 ? "" : String.format(Locale.ROOT, ", %.0f ms of CPU on the decoding thread", cpu / 1e6));
        }
    }

    private record Failure(Throwable cause) {}

    private static final class StreamClosed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StreamClosed() {
            super(null, null, false, false);
        }
    }
}
