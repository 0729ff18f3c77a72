package org.recspark.sampledata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one generated table set, written under hidden temporary names ({@code .<name>.tmp-<id>})
 * and renamed into place only once every one is complete: a run that fails or is killed never leaves a
 * table that looks whole but is cut short, and the files of an earlier run stay as they were. A later
 * run removes the temporary files a killed run left. Not for concurrent runs into one directory.
 */
final class StagedFiles implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StagedFiles.class);
    private static final String INFIX = ".tmp-";

    private final Path dir;
    private final String id = UUID.randomUUID().toString();
    private final Map<Path, Path> stagedByTarget = new LinkedHashMap<>();
    private boolean published;

    /** Stages files in {@code dir} (created if needed), first removing what a killed run left for {@code names}. */
    StagedFiles(Path dir, List<String> names) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        List<Path> leftovers = new ArrayList<>();
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                if (names.stream().anyMatch(n -> name.startsWith("." + n + INFIX))) {
                    Files.delete(child);
                    leftovers.add(child);
                }
            }
        }
        if (!leftovers.isEmpty()) {
            LOG.warn("Removed the temporary files of an earlier run that never finished: {}", leftovers);
        }
    }

    /** Where to write the file {@code name} until {@link #publish()}. */
    Path file(String name) {
        Path staged = dir.resolve("." + name + INFIX + id);
        stagedByTarget.put(dir.resolve(name), staged);
        return staged;
    }

    /** Renames every staged file to its name, replacing an earlier file of that name. */
    void publish() throws IOException {
        for (Map.Entry<Path, Path> file : stagedByTarget.entrySet()) {
            Files.move(file.getValue(), file.getKey(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        published = true;
    }

    /** Removes the staged files unless they were published. */
    @Override
    public void close() {
        if (published) {
            return;
        }
        for (Path staged : stagedByTarget.values()) {
            try {
                Files.deleteIfExists(staged);
            } catch (IOException e) {
                LOG.warn("Could not remove the temporary file {}: {}", staged, e.toString());
            }
        }
    }
}
