package org.recspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.proto.PipelineConfig;

/** Locations in a config stay in its directory tree or an allowed prefix; real files, real links. */
class LocationConfinementTest {
    @TempDir
    Path root;

    @AfterEach
    void clearProperty() {
        System.clearProperty(LocationConfinement.ALLOWED_PATHS_PROPERTY);
    }

    private static String config(String vocabFile, String extra) {
        return extra + "\nfeature_config { features { name: \"city\" id { input: \"user.city\" vocab_file: \"" + vocabFile + "\" } } }\n";
    }

    private Path write(String text) throws IOException {
        Path dir = Files.createDirectories(root.resolve("project/configs"));
        Files.createDirectories(dir.resolve("vocab"));
        Files.writeString(dir.resolve("vocab/cities.txt"), "paris\n");
        Path file = dir.resolve("p.pbtxt");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void pathsInsideTheConfigDirectoryAreAccepted() throws IOException {
        Path file = write(config("vocab/cities.txt", "runtime_config { model_dir: \"runs/a\" }"));
        assertEquals("vocab/cities.txt", ConfigParser.load(file).getFeatureConfig().getFeatures(0).getId().getVocabFile());
        Path dotted = write(config("vocab/../vocab/cities.txt", ""));
        ConfigParser.load(dotted);
    }

    @Test
    void dotDotOutOfTheConfigDirectoryIsRefusedNamingFieldAndResolvedPath() throws IOException {
        Path file = write(config("../../../../etc/passwd", ""));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(file));
        assertEquals(1, e.violations().size(), e.getMessage());
        Violation v = e.violations().get(0);
        assertEquals("feature_config.features[0].id.vocab_file", v.path());
        assertTrue(v.message().startsWith("'../../../../etc/passwd' resolves to /etc/passwd, outside the config's directory "
                + file.getParent().toAbsolutePath()), v.message());
        assertTrue(v.message().contains("allowed_paths"), v.message());
    }

    @Test
    void absolutePathsAndEveryLocationFieldAreConfined() throws IOException {
        Path file = write(config("/etc/passwd", """
                input_config {
                  samples { source { path: "/data/impressions.csv" format: CSV } schema { name: "user_id" } }
                  labels { name: "click" }
                  rejects { path: "../rejects" }
                }
                train_config { warm_start_from: "hdfs://nn/models/old" }
                runtime_config { model_dir: "file:/tmp/model" }
                """));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(file));
        List<String> paths = e.violations().stream().filter(v -> v.message().contains("resolves to")).map(Violation::path).toList();
        assertEquals(List.of("input_config.samples.source.path", "input_config.rejects.path",
                "feature_config.features[0].id.vocab_file", "train_config.warm_start_from", "runtime_config.model_dir"), paths,
                e.getMessage());
        assertTrue(e.getMessage().contains("'hdfs://nn/models/old' resolves to hdfs://nn/models/old, outside"), e.getMessage());
    }

    @Test
    void anEmptyLocationIsRefusedAtEachFieldInsteadOfMeaningTheConfigsDirectory() throws IOException {
        Path file = write(config("", """
                input_config {
                  samples { source { path: "" format: CSV } schema { name: "user_id" } }
                  labels { name: "click" }
                  rejects { path: "" }
                }
                train_config { warm_start_from: "" }
                runtime_config { model_dir: "" }
                """));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(file));
        List<String> paths = e.violations().stream().filter(v -> v.message().startsWith("must not be empty: a location"))
                .map(Violation::path).toList();
        assertEquals(List.of("input_config.samples.source.path", "input_config.rejects.path",
                "feature_config.features[0].id.vocab_file", "train_config.warm_start_from", "runtime_config.model_dir"), paths,
                e.getMessage());
    }

    @Test
    void allowedPathsOfTheConfigReachOutsideItsDirectory() throws IOException {
        Path shared = Files.createDirectories(root.resolve("shared/data"));
        Files.writeString(shared.resolve("cities.txt"), "paris\n");
        Path file = write(config("../../shared/data/cities.txt", """
                allowed_paths: "../../shared/data/"
                allowed_paths: "hdfs://NN/models/"
                train_config { warm_start_from: "hdfs://nn/models/old/../v2" }
                runtime_config { model_dir: "/elsewhere/run" }
                """));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(file));
        assertEquals(List.of("runtime_config.model_dir"), e.violations().stream().map(Violation::path).toList(), e.getMessage());

        Files.writeString(file, Files.readString(file).replace("/elsewhere/run", "runs/1"));
        ConfigParser.load(file);
        Files.writeString(file, Files.readString(file).replace("hdfs://nn/models/old/../v2", "hdfs://nn/models-old/v2"));
        ConfigException prefixIsASegment = assertThrows(ConfigException.class, () -> ConfigParser.load(file));
        assertEquals("train_config.warm_start_from", prefixIsASegment.violations().get(0).path());
    }

    @Test
    void theSystemPropertyAllowsSiteWidePrefixes() throws IOException {
        Path file = write(config("vocab/cities.txt", """
                input_config {
                  samples {
                    source { path: "hdfs://nn:8020/data/day=1/impressions" }
                    schema { name: "user_id" } schema { name: "item_id" } schema { name: "ts" } schema { name: "click" } schema { name: "city" }
                  }
                  labels { name: "click" }
                }
                """));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(file));
        assertEquals("input_config.samples.source.path", e.violations().get(0).path());
        System.setProperty(LocationConfinement.ALLOWED_PATHS_PROPERTY, "/opt/shared, hdfs://nn:8020/data/");
        ConfigParser.load(file);
    }

    @Test
    void aSymbolicLinkOutOfTheTreeIsRefusedWithItsRealPath() throws IOException {
        Path outside = Files.createDirectories(root.resolve("secrets"));
        Files.writeString(outside.resolve("key.txt"), "secret\n");
        Path file = write(config("vocab/link/key.txt", ""));
        Files.createSymbolicLink(file.getParent().resolve("vocab/link"), outside);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(file));
        Violation v = e.violations().get(0);
        assertEquals("feature_config.features[0].id.vocab_file", v.path());
        assertTrue(v.message().contains("(through a symbolic link, really " + outside.toRealPath().resolve("key.txt") + ")"),
                v.message());

        Path fileLink = write(config("vocab/cities-link.txt", ""));
        Files.createSymbolicLink(fileLink.getParent().resolve("vocab/cities-link.txt"), outside.resolve("key.txt"));
        assertThrows(ConfigException.class, () -> ConfigParser.load(fileLink));
    }

    @Test
    void aDanglingLinkIsRefusedSinceWhereItLeadsCannotBeTold() throws IOException {
        Path file = write(config("vocab/later.txt", ""));
        Files.createSymbolicLink(file.getParent().resolve("vocab/later.txt"), root.resolve("secrets/not-yet.txt"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(file));
        assertTrue(e.violations().get(0).message().contains("a dangling symbolic link"), e.getMessage());
    }

    @Test
    void aLinkInsideTheTreeIsFine() throws IOException {
        Path file = write(config("alias/cities.txt", ""));
        Files.createSymbolicLink(file.getParent().resolve("alias"), file.getParent().resolve("vocab"));
        ConfigParser.load(file);
    }

    @Test
    void violationsOfPathsAndOfValuesAreReportedTogether() throws IOException {
        Path file = write(config("../x.txt", "allowed_paths: \"\"\ntrain_config { batch_size: 0 }"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(file));
        assertEquals(List.of("train_config.batch_size", "allowed_paths[0]", "feature_config.features[0].id.vocab_file"),
                e.violations().stream().map(Violation::path).toList(), e.getMessage());
    }

    @Test
    void layeredConfigsResolveAgainstTheFirstFile() throws IOException {
        Path base = write(config("vocab/cities.txt", ""));
        Path layerDir = Files.createDirectories(root.resolve("layers"));
        Path layer = layerDir.resolve("model.pbtxt");
        Files.writeString(layer, "runtime_config { model_dir: \"runs/x\" }\n");
        PipelineConfig merged = ConfigParser.loadLayered(List.of(base, layer));
        assertEquals("runs/x", merged.getRuntimeConfig().getModelDir());
        Files.writeString(layer, "runtime_config { model_dir: \"../../escape\" }\n");
        assertThrows(ConfigException.class, () -> ConfigParser.loadLayered(List.of(base, layer)));
    }

    @Test
    void aSearchCannotVaryALocation() {
        String text = config("vocab/cities.txt", """
                hpo_config {
                  params { path: "feature_config.features[0].id.vocab_file" choices { values: ["\\"/etc/passwd\\""] } }
                  params { path: "allowed_paths" choices { values: ["\\"/\\""] } }
                  objective { metric: "auc" }
                }
                """);
        List<Violation> violations = ConfigValidator.validate(ConfigParser.parseText(text, "t"));
        assertEquals(List.of("hpo_config.params[0].path", "hpo_config.params[1].path"),
                violations.stream().map(Violation::path).toList(), violations.toString());
        assertTrue(violations.get(0).message().contains("is a location"), violations.toString());
    }
}
