package org.recspark.sampledata;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the shared real datasets (read-only, never copied into the repository): the system
 * property {@code recspark.shared.data} (Surefire sets it to the checkout's ../shared/data), else
 * ../shared/data from the working directory.
 */
public final class SharedDatasets {
    private SharedDatasets() {}

    public static Path root() {
        String configured = System.getProperty("recspark.shared.data");
        return configured != null ? Path.of(configured) : Path.of("..", "shared", "data");
    }

    public static Optional<Path> movieLens100k() {
        return existing(root().resolve("movielens-100k"), "u.data");
    }

    public static Optional<Path> frappe() {
        return existing(root().resolve("frappe"), "frappe.validation.libfm");
    }

    private static Optional<Path> existing(Path dir, String marker) {
        return Files.isRegularFile(dir.resolve(marker)) ? Optional.of(dir) : Optional.empty();
    }
}
