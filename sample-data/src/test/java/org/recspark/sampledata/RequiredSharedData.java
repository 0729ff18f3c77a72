package org.recspark.sampledata;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared real datasets ({@link SharedDatasets}) for the tests that need them, shared with other
 * modules' tests through this module's test jar. Where the data is required, a missing dataset fails
 * the test: on CI (the environment variable {@code CI} is "true", as CI services and {@code .ci/run}
 * set it) or with {@code -Drecspark.requireData=true}. Elsewhere the test is skipped, and the reason
 * is also logged as a warning, because Surefire shows the reasons of skipped tests only in its report
 * files.
 */
public final class RequiredSharedData {
    /** The system property that requires the data outside CI (Surefire passes Maven's to the tests). */
    static final String PROPERTY = "recspark.requireData";
    private static final Logger LOG = LoggerFactory.getLogger(RequiredSharedData.class);

    private RequiredSharedData() {
    }

    /** The MovieLens-100K directory, for a test that needs it for {@code use}. */
    public static Path movieLens100k(String use) {
        return require(SharedDatasets.movieLens100k(), SharedDatasets.root().resolve("movielens-100k"), use, required());
    }

    /** The Frappe directory, for a test that needs it for {@code use}. */
    public static Path frappe(String use) {
        return require(SharedDatasets.frappe(), SharedDatasets.root().resolve("frappe"), use, required());
    }

    /** Whether this run requires the data: CI=true in the environment or -Drecspark.requireData=true. */
    static boolean required() {
        return required(System.getenv(), System.getProperty(PROPERTY));
    }

    static boolean required(Map<String, String> environment, String property) {
        return "true".equalsIgnoreCase(environment.get("CI")) || "true".equalsIgnoreCase(property);
    }

    /** The found directory, else a failed test (when required) or a skipped one with the reason logged. */
    static Path require(Optional<Path> found, Path expected, String use, boolean required) {
        if (found.isPresent()) {
            return found.get();
        }
        String message = expected + " is missing; this test needs it: " + use
                + " (the shared datasets live in ../shared/data beside the checkout, see its README.md)";
        if (required) {
            return Assertions.fail(message + ". This run requires the shared data (CI=true or -D" + PROPERTY
                    + "=true), so the test fails instead of skipping");
        }
        LOG.warn("SKIPPED: {}. CI (CI=true or -D{}=true) would fail here", message, PROPERTY);
        return Assumptions.abort(message);
    }
}
