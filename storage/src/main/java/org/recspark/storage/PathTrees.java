package org.recspark.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Operations on directory trees that {@link Files} leaves out. */
public final class PathTrees {
    private PathTrees() {
    }

    /** Deletes a file or a directory tree; nothing when it does not exist. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(path)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            try {
                Files.delete(p);
            } catch (NoSuchFileException gone) {
                // Removed concurrently (another attempt cleaning up the same staging area): the goal is reached.
            }
        }
    }

    /** The regular files under {@code dir}, as sorted paths relative to it (with '/' separators). */
    public static List<String> relativeFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> relativeName(dir, p)).sorted().toList();
        }
    }

    /** {@code file} relative to {@code dir}, with '/' separators on every filesystem. */
    public static String relativeName(Path dir, Path file) {
        StringBuilder name = new StringBuilder();
        for (Path part : dir.relativize(file)) {
            name.append(name.length() == 0 ? "" : "/").append(part);
        }
        return name.toString();
    }
}
