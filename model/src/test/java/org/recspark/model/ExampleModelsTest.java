package org.recspark.model;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.model.nn.ModelParameters;

/**
 * Every example config with a model builds its model over its features: rules that only the
 * model classes check (DeepFM's single embedding dimension, groups a model cannot take) hold for
 * the committed configs too, not only their schema validation.
 */
class ExampleModelsTest {
    private static Path repoRoot() {
        String root = System.getProperty("recspark.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    @TestFactory
    Stream<DynamicTest> everyExampleModelBuilds() throws IOException {
        Path examples = repoRoot().resolve("examples");
        List<Path> configs;
        try (Stream<Path> files = Files.walk(examples)) {
            configs = files.filter(p -> p.toString().endsWith(".pbtxt")).sorted().toList();
        }
        assertFalse(configs.isEmpty(), "no example configs under " + examples);
        return configs.stream().map(p -> DynamicTest.dynamicTest(examples.relativize(p).toString(), () -> {
            Path base = p.getParent().resolveSibling(p.getParent().getFileName() + "_deepfm.pbtxt");
            PipelineConfig config = Files.isRegularFile(base) ? ConfigParser.loadLayered(List.of(base, p)) : ConfigParser.load(p);
            if (!config.hasModelConfig()) {
                return;
            }
            FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), p.getParent());
            ModelFactory.create(new ModelContext(config, generator.schema(), new ModelParameters(config.getTrainConfig().getSeed())));
        }));
    }
}
