package org.recspark.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hidden siblings {@link AtomicFile} and {@link CommittedDirectory} stage into
 * ({@code .<name>.tmp-<random>}) or move an old directory aside to ({@code .<name>.old-<random>}),
 * and their removal when a crash left them behind. A write cannot tell another live writer's
 * staging from a dead one's, so only staging untouched for {@link #ABANDONED_AFTER} is removed,
 * as HDFS recovers a file's lease only after its hard limit of an hour.
 */
final class UnfinishedWrites {
    static final String STAGING_INFIX = ".tmp-";
    static final String MOVED_ASIDE_INFIX = ".old-";
    /** How long staging stays untouched before it counts as abandoned. */
    static final Duration ABANDONED_AFTER = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(UnfinishedWrites.class);

    private UnfinishedWrites() {
    }

    /** Whether a file or directory name is one the commit protocol stages into or moves aside to. */
    static boolean isStagingName(String name) {
        return name.startsWith(".") && (name.contains(STAGING_INFIX) || name.contains(MOVED_ASIDE_INFIX));
    }

    /**
     * Removes staging under {@code parent} untouched for {@link #ABANDONED_AFTER} (a crashed write's);
     * a failure to remove is only logged, as it must not fail the write that noticed it.
     */
    static List<Path> removeAbandoned(Path parent) {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return removed;
        }
        Instant cutoff = Instant.now().minus(ABANDONED_AFTER);
        try (Stream<Path> children = Files.list(parent)) {
            for (Path child : children.toList()) {
                if (isStagingName(child.getFileName().toString()) && lastTouched(child).isBefore(cutoff)) {
                    PathTrees.deleteRecursively(child);
                    removed.add(child);
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not remove the leftovers of unfinished writes under {}: {}", parent, e.toString());
        }
        if (!removed.isEmpty()) {
            LOG.warn("Removed {} leftovers of writes that never finished (a crash) under {}: {}", removed.size(), parent, removed);
        }
        return removed;
    }

    /** The latest modification in a file or directory tree. */
    private static Instant lastTouched(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            Instant latest = Instant.EPOCH;
            for (Path p : walk.toList()) {
                Instant t = Files.getLastModifiedTime(p).toInstant();
                if (t.isAfter(latest)) {
                    latest = t;
                }
            }
            return latest;
        }
    }
}
