package org.recspark.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * An output directory that appears complete or not at all: files are written into a hidden
 * sibling, a {@code _CHECKSUMS} file (SHA-256 per file) is added, then the directory is renamed
 * into place. A crash leaves only the hidden sibling, never a half-written output that looks valid.
 */
final class AtomicOutputDirectory {
    static final String CHECKSUMS = "_CHECKSUMS";

    private final Path target;
    private final Path staging;

    AtomicOutputDirectory(Path target) throws IOException {
        this.target = target.toAbsolutePath().normalize();
        this.staging = this.target.resolveSibling("." + this.target.getFileName() + ".inprogress-" + ProcessHandle.current().pid());
        deleteRecursively(staging);
        Files.createDirectories(staging);
    }

    /** Where to write files before {@link #commit()}. */
    Path staging() {
        return staging;
    }

    /** Writes the checksums and moves the directory into place, replacing an earlier output. */
    void commit() throws IOException {
        StringBuilder sums = new StringBuilder();
        List<Path> files;
        try (Stream<Path> s = Files.list(staging)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            sums.append(sha256(file)).append("  ").append(file.getFileName()).append('\n');
        }
        Files.writeString(staging.resolve(CHECKSUMS), sums.toString(), StandardCharsets.UTF_8);
        Path previous = target.resolveSibling("." + target.getFileName() + ".previous-" + ProcessHandle.current().pid());
        if (Files.exists(target)) {
            Files.move(target, previous, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(previous);
    }

    /** Removes the staging directory of a failed run. */
    void abandon() throws IOException {
        deleteRecursively(staging);
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
