package org.recspark.trainer.distributed;

import java.util.ArrayList;
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
 * backward pass still works on earlier layers. After the last bucket's parameters comes the tail:
 * every buffer's batch statistic followed by a count of the workers that observed it, then the loss.
 * The tail belongs to the last bucket, which is summed only once the pass is over. The layout
 * depends only on the parameters, so it is the same on every worker.
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
    private final int length;

    FusedGradientLayout(Collection<Parameter> parameters) {
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
        tailStart = pos;
        for (Parameter p : all) {
            if (!p.trainable()) {
                pos += p.size() + 1;
            }
        }
        length = pos + 1;
        buckets.add(new int[]{bucketStart, length});
        counts.add(inBucket);
        parametersInBucket = counts.stream().mapToInt(Integer::intValue).toArray();
        bucketStarts = buckets.stream().mapToInt(b -> b[0]).toArray();
        bucketLengths = buckets.stream().mapToInt(b -> b[1] - b[0]).toArray();
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

    /** Every bucket's start in the fused buffer, in bucket order (the caller must not modify it). */
    int[] bucketStarts() {
        return bucketStarts;
    }

    /** Every bucket's length, in bucket order (the caller must not modify it). */
    int[] bucketLengths() {
        return bucketLengths;
    }

    int parametersInBucket(int bucket) {
        return parametersInBucket[bucket];
    }

    int tailStart() {
        return tailStart;
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
