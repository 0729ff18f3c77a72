package org.recspark.hpo;

import java.nio.file.Path;

/** Files of the repository, for tests (Surefire sets recspark.repo.root to the checkout). */
public final class RepoFiles {
    private RepoFiles() {}

    public static Path root() {
        String root = System.getProperty("recspark.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    public static Path examples(String relative) {
        return root().resolve("examples").resolve(relative);
    }
}
