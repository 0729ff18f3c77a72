package org.recspark.sampledata;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the shared real datasets (read-only, never copied into the repository): the system
 * property {@code recspark.shared.data} (Surefire sets it to the checkout's ../shared/data), else
 * ../shared/data beside the {@linkplain RepositoryRoot repository root}, else ../shared/data from
 * the working directory.
 */
public final class SharedDatasets {
    static final String PROPERTY = "recspark.shared.data";

    private SharedDatasets() {}

    /** Where the datasets are looked for; it may not exist. */
    public static Path root() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path base = RepositoryRoot.locate().orElseGet(() -> Path.of("").toAbsolutePath());
        return base.resolve("..").resolve("shared").resolve("data").normalize();
    }

    /** The MovieLens-100K directory (with u.data), if present. */
    public static Optional<Path> movieLens100k() {
        return existing(root().resolve("movielens-100k"), "u.data");
    }

    /** The Frappe directory (with frappe.validation.libfm), if present. */
    public static Optional<Path> frappe() {
        return existing(root().resolve("frappe"), "frappe.validation.libfm");
    }

    private static Optional<Path> existing(Path dir, String marker) {
        return Files.isRegularFile(dir.resolve(marker)) ? Optional.of(dir) : Optional.empty();
    }
}
