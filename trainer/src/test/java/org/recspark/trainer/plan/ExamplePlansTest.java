package org.recspark.trainer.plan;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;

/**
 * Every example config passes the whole pre-flight plan, not only the config's own validation (so
 * an example that validates also builds its model and metrics). A model layer in
 * {@code examples/trainer/<data>/} plans laid over its base {@code examples/trainer/<data>_deepfm.pbtxt}.
 */
class ExamplePlansTest {

    static Path repoRoot() {
        String root = System.getProperty("recspark.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    @TestFactory
    Stream<DynamicTest> everyExampleConfigPlans() throws IOException {
        Path examples = repoRoot().resolve("examples");
        List<Path> configs;
        try (Stream<Path> files = Files.walk(examples)) {
            configs = files.filter(p -> p.toString().endsWith(".pbtxt") || p.toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(configs.isEmpty(), "no example configs found under " + examples);
        return configs.stream().map(p -> DynamicTest.dynamicTest(examples.relativize(p).toString(), () -> {
            Path base = p.getParent().resolveSibling(p.getParent().getFileName() + "_deepfm.pbtxt");
            PipelinePlan plan;
            if (Files.isRegularFile(base)) {
                PipelineConfig layered = ConfigParser.loadLayered(List.of(base, p));
                plan = PipelinePlan.compile(layered, base.getParent());
            } else {
                plan = PipelinePlan.load(p);
            }
            assertTrue(plan.schema().size() > 0, p + " plans no feature");
            if (plan.hasModel()) {
                assertFalse(plan.tasks().isEmpty(), p + " plans a model without tasks");
                assertFalse(plan.metricNames().isEmpty(), p + " plans no metric");
            }
        }));
    }
}
