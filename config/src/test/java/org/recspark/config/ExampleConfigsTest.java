package org.recspark.config;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every config committed under examples/ parses strictly and validates, so none can drift from the
 * schema. A model layer in {@code examples/trainer/<data>/} validates laid over its base,
 * {@code examples/trainer/<data>_deepfm.pbtxt}.
 */
class ExampleConfigsTest {

    static Path repoRoot() {
        String root = System.getProperty("recspark.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    @TestFactory
    Stream<DynamicTest> everyExampleConfigLoadsAndValidates() throws IOException {
        List<Path> configs;
        try (Stream<Path> files = Files.walk(repoRoot().resolve("examples"))) {
            configs = files.filter(p -> p.toString().endsWith(".pbtxt") || p.toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(configs.isEmpty(), "no example configs found under " + repoRoot().resolve("examples"));
        return configs.stream().map(p -> DynamicTest.dynamicTest(repoRoot().resolve("examples").relativize(p).toString(), () -> {
            Path base = p.getParent().resolveSibling(p.getParent().getFileName() + "_deepfm.pbtxt");
            if (Files.isRegularFile(base)) {
                ConfigParser.loadLayered(List.of(base, p));
            } else {
                ConfigParser.load(p);
            }
        }));
    }
}
