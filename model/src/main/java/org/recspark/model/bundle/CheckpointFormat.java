package org.recspark.model.bundle;

/**
 * The checkpoint format both sides agree on: the trainer's {@code CheckpointWriter} writes it, {@link CheckpointReader}
 * refuses any other version.
 */
public final class CheckpointFormat {
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "manifest.pb";
    public static final String TENSORS = "tensors.bin";
    /**
     * The manifest's SHA-256 ({@code sha256sum} format): the manifest holds the tensor file's, so a
     * flipped bit anywhere is found; without it one in the manifest (its step, epoch or run id) was not.
     */
    public static final String MANIFEST_CHECKSUM = MANIFEST + ".sha256";

    private CheckpointFormat() {
    }
}
