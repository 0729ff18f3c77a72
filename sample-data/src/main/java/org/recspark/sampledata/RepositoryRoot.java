package org.recspark.sampledata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the checkout's root directory: the system property {@code recspark.repo.root} (Surefire
 * sets it), else the nearest directory at or above the working directory whose pom.xml lists the
 * {@code sample-data} module.
 */
public final class RepositoryRoot {
    static final String PROPERTY = "recspark.repo.root";
    private static final String MODULE_ENTRY = "<module>sample-data</module>";

    private RepositoryRoot() {}

    public static Optional<Path> locate() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured).toAbsolutePath().normalize());
        }
        return findAbove(Path.of("").toAbsolutePath());
    }

    /** The nearest directory at or above {@code start} whose pom.xml lists the sample-data module. */
    static Optional<Path> findAbove(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (listsSampleDataModule(dir.resolve("pom.xml"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    private static boolean listsSampleDataModule(Path pom) {
        if (!Files.isRegularFile(pom)) {
            return false;
        }
        try {
            return Files.readString(pom).contains(MODULE_ENTRY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pom, e);
        }
    }
}
