package org.recspark.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit protocol of every directory the product publishes (checkpoints, export bundles,
 * outputs): a directory is visible to readers only when complete, whatever the store.
 * <ul>
 *   <li>On stores with an atomic rename (the local disk, HDFS), files are written into a hidden
 *       sibling ({@code .<name>.tmp-<random>}), the {@value #MARKER} file is added, and the
 *       directory is renamed into place (an earlier one moved aside first and deleted after).</li>
 *   <li>On object stores (S3), where a directory rename copies object by object, files are
 *       written in place and the marker last; until it exists, readers ignore the directory.</li>
 * </ul>
 * The marker lists every file with its size, so a reader also finds a file missing or cut short
 * ({@link #verify}). Readers call {@link #isCommitted} (directory listings) or {@link #verify}
 * (before loading). Staging a crash left behind is removed by a later {@link #begin} in the same
 * parent once abandoned ({@link UnfinishedWrites}), or at once by {@link #removeLeftovers}.
 */
public final class CommittedDirectory {
    /** Written last into every committed directory. */
    public static final String MARKER = "_COMMITTED";
    private static final Logger LOG = LoggerFactory.getLogger(CommittedDirectory.class);

    private final Path target;
    private final Path staging;
    private final boolean renamed;
    private boolean done;

    private CommittedDirectory(Path target, Path staging, boolean renamed) {
        this.target = target;
        this.staging = staging;
        this.renamed = renamed;
    }

    /** Starts writing {@code target}: write into {@link #staging()}, then {@link #commit()} or {@link #abandon()}. */
    public static CommittedDirectory begin(Path target) throws IOException {
        Path parent = Locations.parentOf(target);
        Files.createDirectories(parent);
        String name = target.getFileName().toString();
        if (Locations.atomicRename(target)) {
            UnfinishedWrites.removeAbandoned(parent);
            Path staging = parent.resolve("." + name + UnfinishedWrites.STAGING_INFIX + UUID.randomUUID());
            Files.createDirectory(staging);
            return new CommittedDirectory(target, staging, true);
        }
        uncommit(target);
        Files.createDirectories(target);
        return new CommittedDirectory(target, target, false);
    }

    /** Where the directory's files go until {@link #commit()}. */
    public Path staging() {
        return staging;
    }

    public Path target() {
        return target;
    }

    /** Writes the marker and publishes the directory, replacing an earlier one of the same name. */
    public Path commit() throws IOException {
        if (done) {
            throw new IllegalStateException(target + " is already committed or abandoned");
        }
        StringBuilder marker = new StringBuilder();
        for (String file : PathTrees.relativeFiles(staging)) {
            if (!file.equals(MARKER)) {
                marker.append(Files.size(staging.resolve(file))).append(' ').append(file).append('\n');
            }
        }
        Files.writeString(staging.resolve(MARKER), marker.toString(), StandardCharsets.UTF_8);
        if (renamed) {
            Path previous = null;
            if (Files.exists(target)) {
                previous = target.resolveSibling("." + target.getFileName() + UnfinishedWrites.MOVED_ASIDE_INFIX + UUID.randomUUID());
                Files.move(target, previous, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            if (previous != null) {
                PathTrees.deleteRecursively(previous);
            }
        }
        done = true;
        return target;
    }

    /** Removes what was written (a failed write): nothing of it stays visible. */
    public void abandon() {
        if (done) {
            return;
        }
        done = true;
        try {
            if (renamed) {
                PathTrees.deleteRecursively(staging);
            } else {
                uncommit(target);
            }
        } catch (IOException e) {
            LOG.warn("Could not remove the incomplete {}: {}", staging, e.toString());
        }
    }

    /** Whether {@code dir} is a complete directory written by this protocol. */
    public static boolean isCommitted(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER));
    }

    /**
     * Checks that {@code dir} was committed and still holds every file the marker lists with its
     * size; the problem otherwise, naming the directory and the file.
     */
    public static Optional<String> verify(Path dir) {
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            return Optional.of(dir + " is incomplete: it has no " + MARKER + " marker (its write did not finish)");
        }
        try {
            for (Map.Entry<String, Long> e : listed(marker).entrySet()) {
                Path file = dir.resolve(e.getKey());
                if (!Files.isRegularFile(file)) {
                    return Optional.of(dir + " is damaged: " + e.getKey() + " is missing");
                }
                long size = Files.size(file);
                if (size != e.getValue()) {
                    return Optional.of(dir + " is damaged: " + e.getKey() + " has " + size + " bytes, " + e.getValue() + " were written");
                }
            }
        } catch (IOException e) {
            return Optional.of("cannot read " + dir + ": " + e);
        } catch (IllegalArgumentException e) {
            return Optional.of(dir + " is damaged: " + e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Deletes the leftovers of writes that never finished under {@code parent}: staging
     * directories, directories moved aside, and (on object stores) uncommitted directories whose
     * name matches {@code uncommittedPrefix} (null: none). Call it only when no other writer is
     * active there. Returns what was removed.
     */
    public static List<Path> removeLeftovers(Path parent, String uncommittedPrefix) {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return removed;
        }
        try (Stream<Path> children = Files.list(parent)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                boolean leftover = UnfinishedWrites.isStagingName(name)
                        || uncommittedPrefix != null && name.startsWith(uncommittedPrefix) && Files.isDirectory(child) && !isCommitted(child);
                if (leftover) {
                    PathTrees.deleteRecursively(child);
                    removed.add(child);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up " + parent, e);
        }
        if (!removed.isEmpty()) {
            LOG.info("Removed {} leftovers of unfinished writes under {}: {}", removed.size(), parent, removed);
        }
        return removed;
    }

    private static void uncommit(Path target) throws IOException {
        Files.deleteIfExists(target.resolve(MARKER));
        PathTrees.deleteRecursively(target);
    }

    private static Map<String, Long> listed(Path marker) throws IOException {
        Map<String, Long> files = new LinkedHashMap<>();
        for (String line : Files.readAllLines(marker, StandardCharsets.UTF_8)) {
            if (line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0) {
                throw new IllegalArgumentException(MARKER + " has a malformed line '" + line + "'");
            }
            try {
                files.put(line.substring(space + 1), Long.parseLong(line.substring(0, space)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(MARKER + " has a malformed line '" + line + "'", e);
            }
        }
        return files;
    }
}
