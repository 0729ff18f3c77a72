package org.recspark.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.recspark.jobs.samples.PartitionedOutputDirectory;
import org.recspark.storage.CommittedDirectory;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.Locations;
import org.recspark.storage.UnusableLocationException;

/**
 * An output directory that appears complete or not at all ({@link CommittedDirectory}), with a
 * {@code _CHECKSUMS} file (SHA-256 per file) and Hadoop's {@code _SUCCESS} marker added before
 * the commit, so a reader can verify every file's content too.
 */
final class AtomicOutputDirectory {
    static final String CHECKSUMS = "_CHECKSUMS";

    private final CommittedDirectory write;

    AtomicOutputDirectory(Path target) throws IOException {
        requireReplaceable(target, CommittedDirectory.MARKER);
        this.write = CommittedDirectory.begin(target);
    }

    /**
     * Locks {@code target} for {@code command}. The directory itself is replaced whole at the commit,
     * so its lock lives beside it, in the hidden directory {@code .<name>.lock}.
     *
     * @throws org.recspark.storage.DirectoryLockedException naming the holder when another run writes it
     */
    static DirectoryLock lock(Path target, String command) {
        return DirectoryLock.acquire(lockDirectory(target), command);
    }

    /**
     * Fails unless {@code target} is absent, an empty directory or an earlier output, which holds
     * {@code marker} (this protocol's {@value CommittedDirectory#MARKER}, or the {@code _SUCCESS}
     * of a Spark write): an output replaces its directory whole, and must never delete a file or a
     * directory of something else (a model directory, samples) that a mistyped option names.
     *
     * @throws UnusableLocationException naming the target and what is there
     */
    static void requireReplaceable(Path target, String marker) {
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new UnusableLocationException(target, "is a file; the output is a directory that replaces whatever is there, "
                    + "so name a new directory (or an earlier output) instead");
        }
        if (Files.isRegularFile(target.resolve(marker))) {
            return;
        }
        try (Stream<Path> children = Files.list(target)) {
            if (children.findAny().isPresent()) {
                throw new UnusableLocationException(target, "is a directory that is not an earlier output of this command (it has "
                        + "no " + marker + "), and the output "
                        + "replaces its directory whole; name a new directory, or remove this one first if it is an output a killed "
                        + "run left");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + target, e);
        }
    }

    static Path lockDirectory(Path target) {
        return Locations.parentOf(target).resolve("." + target.getFileName() + ".lock");
    }

    /** Where to write files before {@link #commit()}. */
    Path staging() {
        return write.staging();
    }

    /** Writes the checksums and publishes the directory, replacing an earlier output. */
    void commit() throws IOException {
        StringBuilder sums = new StringBuilder();
        List<Path> files;
        try (Stream<Path> s = Files.list(staging())) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            sums.append(sha256(file)).append("  ").append(file.getFileName()).append('\n');
        }
        Files.writeString(staging().resolve(CHECKSUMS), sums.toString(), StandardCharsets.UTF_8);
        // For schedulers and tools that wait for Hadoop's marker rather than ours.
        Files.write(staging().resolve(PartitionedOutputDirectory.SUCCESS), new byte[0]);
        write.commit();
    }

    /** Removes what a failed run wrote. */
    void abandon() {
        write.abandon();
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
