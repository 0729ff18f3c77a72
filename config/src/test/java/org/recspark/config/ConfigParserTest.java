package org.recspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.proto.PipelineConfig;

class ConfigParserTest {
    private static final String MINIMAL = """
            feature_config {
              features { name: "user_id" id { input: "user.user_id" hash_bucket_size: 1000 } }
            }
            """;

    @Test
    void parsesTextFormat() {
        PipelineConfig config = ConfigParser.parseText(MINIMAL, "minimal");
        assertEquals(1000, config.getFeatureConfig().getFeatures(0).getId().getHashBucketSize());
        assertEquals(16, config.getFeatureConfig().getFeatures(0).getEmbeddingDim(), "schema default applies");
    }

    @Test
    void reportsEveryUnknownTextFieldWithItsLocation() {
        String text = """
                nme: "x"
                feature_config {
                  features { name: "a" id { input: "user.a" hash_bucket_size: 10 bucket: 3 } }
                }
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parseText(text, "my.pbtxt"));
        assertEquals(List.of(
                new Violation("my.pbtxt:1:1", "unknown field 'nme' in PipelineConfig (recspark.config.PipelineConfig)"),
                new Violation("my.pbtxt:3:66", "unknown field 'bucket' in IdFeature (recspark.config.IdFeature)")),
                e.violations());
        assertTrue(e.getMessage().contains("my.pbtxt"), e.getMessage());
    }

    @Test
    void reportsSyntaxErrorWithLineAndColumn() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigParser.parseText("feature_config { features { name: 3 } }", "s.pbtxt"));
        assertEquals(1, e.violations().size());
        assertTrue(e.violations().get(0).path().startsWith("s.pbtxt:1:"), e.violations().toString());
    }

    @Test
    void parsesJsonWithProtoOrCamelCaseNames() throws Exception {
        PipelineConfig fromText = ConfigParser.parseText(MINIMAL, "text");
        String json = JsonFormat.printer().print(fromText);
        assertEquals(fromText, ConfigParser.parseJson(json, "json"));
        String snake = json.replace("hashBucketSize", "hash_bucket_size").replace("featureConfig", "feature_config");
        assertEquals(fromText, ConfigParser.parseJson(snake, "json"));
    }

    @Test
    void reportsEveryUnknownJsonFieldWithItsPath() {
        String json = """
                {"featureConfig": {"features": [
                   {"name": "a", "id": {"input": "user.a", "hashBucketSize": 10}},
                   {"name": "b", "colour": "red", "id": {"input": "user.b", "vocab": ["x"]}}]},
                 "trainConfig": {"batchSize": 64, "epochs": 3}}
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parseJson(json, "c.json"));
        assertEquals(List.of(
                new Violation("featureConfig.features[1].colour", "unknown field 'colour' in Feature (recspark.config.Feature)"),
                new Violation("featureConfig.features[1].id.vocab", "unknown field 'vocab' in IdFeature (recspark.config.IdFeature)"),
                new Violation("trainConfig.epochs", "unknown field 'epochs' in TrainConfig (recspark.config.TrainConfig)")),
                e.violations());
    }

    @Test
    void rejectsMalformedJson() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parseJson("{\"a\": ", "bad.json"));
        assertTrue(e.violations().get(0).message().startsWith("malformed JSON"), e.getMessage());
    }

    @Test
    void loadChoosesFormatByExtensionAndValidates(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("p.pbtxt");
        Files.writeString(text, MINIMAL);
        Path json = dir.resolve("p.json");
        Files.writeString(json, JsonFormat.printer().print(ConfigParser.parseText(MINIMAL, "m")));
        assertEquals(ConfigParser.load(text), ConfigParser.load(json));

        Path invalid = dir.resolve("invalid.pbtxt");
        Files.writeString(invalid, MINIMAL.replace("1000", "-5"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(invalid));
        assertTrue(e.getMessage().contains(invalid.toString()), e.getMessage());
        assertEquals(List.of(new Violation("feature_config.features[0].id.hash_bucket_size", "must be > 0, got -5")),
                e.violations());
    }

    @Test
    void missingFileIsAClearError(@TempDir Path dir) {
        Path missing = dir.resolve("nope.pbtxt");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(missing));
        assertTrue(e.getMessage().contains("cannot read config file"), e.getMessage());
    }
}
