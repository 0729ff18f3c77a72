package org.recspark.trainer.distributed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.model.nn.Parameter;

/**
 * Where a step's dense state sits in the one buffer the workers exchange. Trainable parameters come
 * in the reverse of their creation order, which is about the order in which the backward pass
 * finishes their gradients, grouped into buckets of at most {@link #BUCKET_FLOATS} floats (a larger
 * parameter is a bucket of its own), as PyTorch's DDP does, so a bucket can be summed while the
 * backward pass still works on earlier layers. After the buckets come the tails, one per rank: a
 * rank's tail is every buffer's batch statistic followed by whether it observed it, then its loss.
 * The tails are not reduce-scattered with the gradients but gathered with the updated weights
 * (each rank writes its own in the chunk it owns) and summed by every rank in rank order, so the
 * last gradients' bucket leaves as soon as they are finished and no step waits on a reduce-scatter
 * of its statistics. The layout depends only on the parameters and the ring's size, so it is the
 * same on every worker.
 */
final class FusedGradientLayout {
    /**
     * 16 K floats (64 KiB): a DeepFM's MLP makes a few buckets, so the first ones leave while the
     * backward pass is in its first layers; much smaller and the per-transfer latency (about 50 us on
     * loopback) would dominate.
     */
    static final int BUCKET_FLOATS = 16_384;

    /** A run of coordinates [from, to) of a parameter, stored in the buffer from {@code offset}. */
    record Segment(Parameter parameter, int from, int to, int offset) {}

    private final List<Parameter> all;
    private final List<Parameter> trainable = new ArrayList<>();
    private final Map<Parameter, Integer> indexOf = new IdentityHashMap<>();
    private final int[] offsetOf;
    private final int[] bucketOf;
    private final int[] bucketStarts;
    private final int[] bucketLengths;
    private final int[] parametersInBucket;
    private final int tailStart;
    private final int tailLength;
    private final int[] gatherStarts;
    private final int[] gatherLengths;
    private final int length;

    FusedGradientLayout(Collection<Parameter> parameters, int ranks) {
        if (ranks < 1) {
            throw new IllegalArgumentException("a ring of " + ranks + " ranks");
        }
        this.all = List.copyOf(parameters);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).trainable()) {
                indexOf.put(all.get(i), trainable.size());
                trainable.add(all.get(i));
            }
        }
        offsetOf = new int[trainable.size()];
        bucketOf = new int[trainable.size()];
        List<int[]> buckets = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        int pos = 0;
        int bucketStart = 0;
        int inBucket = 0;
        for (int i = 0; i < trainable.size(); i++) {
            int size = trainable.get(i).size();
            if (inBucket > 0 && pos - bucketStart + size > BUCKET_FLOATS) {
                buckets.add(new int[]{bucketStart, pos});
                counts.add(inBucket);
                bucketStart = pos;
                inBucket = 0;
            }
            offsetOf[i] = pos;
            bucketOf[i] = buckets.size();
            pos += size;
            inBucket++;
        }
        if (inBucket > 0) {
            buckets.add(new int[]{bucketStart, pos});
            counts.add(inBucket);
        }
        tailStart = pos;
        int tail = 1;
        for (Parameter p : all) {
            if (!p.trainable()) {
                tail += p.size() + 1;
            }
        }
        tailLength = tail;
        length = tailStart + ranks * tailLength;
        parametersInBucket = counts.stream().mapToInt(Integer::intValue).toArray();
        bucketStarts = buckets.stream().mapToInt(b -> b[0]).toArray();
        bucketLengths = buckets.stream().mapToInt(b -> b[1] - b[0]).toArray();
        gatherStarts = Arrays.copyOf(bucketStarts, bucketStarts.length + 1);
        gatherLengths = Arrays.copyOf(bucketLengths, bucketLengths.length + 1);
        gatherStarts[bucketStarts.length] = tailStart;
        gatherLengths[bucketLengths.length] = ranks * tailLength;
    }

    /** Whether this layout was made for these parameters (they are created once, with the model). */
    boolean describes(Collection<Parameter> parameters) {
        return parameters.size() == all.size();
    }

    int length() {
        return length;
    }

    List<Parameter> all() {
        return all;
    }

    int trainableCount() {
        return trainable.size();
    }

    Parameter trainable(int index) {
        return trainable.get(index);
    }

    /** The trainable parameter's index in bucket order, or -1 for another parameter. */
    int indexOf(Parameter p) {
        return indexOf.getOrDefault(p, -1);
    }

    int offset(int index) {
        return offsetOf[index];
    }

    int bucketOf(int index) {
        return bucketOf[index];
    }

    int bucketCount() {
        return bucketStarts.length;
    }

    int bucketStart(int bucket) {
        return bucketStarts[bucket];
    }

    int bucketLength(int bucket) {
        return bucketLengths[bucket];
    }

    int parametersInBucket(int bucket) {
        return parametersInBucket[bucket];
    }

    int tailStart() {
        return tailStart;
    }

    /** One rank's tail: the buffers' statistics, each followed by whether the rank observed it, then the loss. */
    int tailLength() {
        return tailLength;
    }

    /**
     * Where the tail of the rank owning chunk {@code chunk} starts: the tails' region is cut into one chunk per rank
     * as the ring cuts any range, so the all-gather hands every rank's tail to every rank.
     */
    int tailOfChunk(int chunk) {
        return tailStart + chunk * tailLength;
    }

    /** The ranges of the weights' all-gather: every bucket, then the tails (the caller must not modify them). */
    int[] gatherStarts() {
        return gatherStarts;
    }

    int[] gatherLengths() {
        return gatherLengths;
    }

    /**
     * The trainable coordinates of chunk {@code chunk} of every bucket, cut as the ring cuts a
     * range among {@code size} ranks: the slices a rank owning that chunk updates.
     */
    List<Segment> chunkSegments(int chunk, int size) {
        List<Segment> out = new ArrayList<>();
        for (int b = 0; b < bucketStarts.length; b++) {
            ChunkLayout chunks = new ChunkLayout(bucketLength(b), size);
            int from = bucketStart(b) + chunks.offset(chunk);
            int to = from + chunks.length(chunk);
            for (int i = 0; i < trainable.size(); i++) {
                int start = Math.max(from, offsetOf[i]);
                int end = Math.min(to, offsetOf[i] + trainable.get(i).size());
                if (start < end) {
                    out.add(new Segment(trainable.get(i), start - offsetOf[i], end - offsetOf[i], start));
                }
            }
        }
        return out;
    }
}
