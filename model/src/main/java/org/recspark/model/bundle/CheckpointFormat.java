package org.recspark.model.bundle;

/**
 * The checkpoint format both sides agree on: the trainer's {@code CheckpointWriter} writes it, {@link CheckpointReader}
 * refuses any other version.
 */
public final class CheckpointFormat {
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "manifest.pb";
    public static final String TENSORS = "tensors.bin";

    private CheckpointFormat() {
    }
}
