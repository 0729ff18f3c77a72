package org.recspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
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
    void aValueOfTheWrongTypeIsNamedByItsField() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigParser.parseText("train_config {\n  batch_size: \"big\"\n}\n", "t.pbtxt"));
        assertEquals(new Violation("t.pbtxt:2:15", "batch_size: Couldn't parse integer: For input string: \"\"big\"\""),
                e.violations().get(0));
        e = assertThrows(ConfigException.class, () -> ConfigParser.parseText(
                "model_config { deepfm { dnn { hidden_units: [256, \"x\"] } } }", "l.pbtxt"));
        assertTrue(e.violations().get(0).message().startsWith("hidden_units: "), e.getMessage());
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
    void loadReportsUnknownFieldsTogetherWithTheInvalidValuesOfTheRest(@TempDir Path dir) throws Exception {
        String bad = MINIMAL.replace("hash_bucket_size: 1000", "hash_bucket_size: -5 embeding_dim: 8")
                + "train_config { batch_size: 0 num_epoch: 2 }\n";
        Path text = Files.writeString(dir.resolve("bad.pbtxt"), bad);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(text));
        assertEquals(List.of(
                new Violation(text + ":2:78", "unknown field 'embeding_dim' in IdFeature (recspark.config.IdFeature)"),
                new Violation(text + ":4:30", "unknown field 'num_epoch' in TrainConfig (recspark.config.TrainConfig)"),
                new Violation("feature_config.features[0].id.hash_bucket_size", "must be > 0, got -5"),
                new Violation("train_config.batch_size", "must be >= 1, got 0")), e.violations());

        Path json = Files.writeString(dir.resolve("bad.json"), """
                {"featureConfig": {"features": [{"name": "user_id", "colour": "red",
                  "id": {"input": "user.user_id", "hashBucketSize": -5}}]},
                 "train_config": {"batchSize": 0}}
                """);
        e = assertThrows(ConfigException.class, () -> ConfigParser.load(json));
        assertEquals(List.of(
                new Violation("featureConfig.features[0].colour", "unknown field 'colour' in Feature (recspark.config.Feature)"),
                new Violation("feature_config.features[0].id.hash_bucket_size", "must be > 0, got -5"),
                new Violation("train_config.batch_size", "must be >= 1, got 0")), e.violations());

        Path badEnum = Files.writeString(dir.resolve("enum.json"), """
                {"input_config": {"samples": {"source": {"path": "x.csv", "format": "CSVV"}}}, "colour": "red"}
                """);
        e = assertThrows(ConfigException.class, () -> ConfigParser.load(badEnum));
        assertEquals("colour", e.violations().get(0).path(), e.getMessage());
        assertTrue(e.violations().get(1).message().startsWith("Invalid enum value: CSVV for enum type: recspark.config.DataFormat "
                + "(expected one of [PARQUET, CSV, "), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigParser.parseText(
                "input_config { samples { source { path: \"x.csv\" format: CSVV } } }", "e.pbtxt"));
        assertTrue(e.violations().get(0).message().startsWith("format: Enum type \"recspark.config.DataFormat\" has no value named \"CSVV\". "
                + "(expected one of [PARQUET, CSV, "), e.getMessage());
    }

    @Test
    void missingFileIsAClearError(@TempDir Path dir) {
        Path missing = dir.resolve("nope.pbtxt");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(missing));
        assertTrue(e.getMessage().contains(missing + ": cannot read config file: no such file"), e.getMessage());
    }

    @Test
    void aDirectoryOrNonUtf8BytesAreClearErrorsNamingTheFile(@TempDir Path dir) throws Exception {
        Path directory = Files.createDirectories(dir.resolve("conf.pbtxt"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(directory));
        assertTrue(e.getMessage().contains(directory + ": cannot read config file: it is a directory"), e.getMessage());
        Path latin1 = Files.write(dir.resolve("latin1.pbtxt"), "name: \"caf\u00e9\"\n".getBytes(StandardCharsets.ISO_8859_1));
        e = assertThrows(ConfigException.class, () -> ConfigParser.load(latin1));
        assertTrue(e.getMessage().contains(latin1 + ": cannot read config file: not UTF-8 text"), e.getMessage());
    }

    @Test
    void reportsEverySingularTextFieldGivenTwiceWithTheUnknownFields() {
        String text = """
                name: "a"
                feature_config {
                  features { name: "u" id { input: "user.u" hash_bucket_size: 10 hash_bucket_size: 20 } }
                  features { name: "v" colour: 1 raw { input: "user.v" } }
                }
                name: "b"
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parseText(text, "t.pbtxt"));
        assertEquals(List.of(
                new Violation("t.pbtxt:4:24", "unknown field 'colour' in Feature (recspark.config.Feature)"),
                new Violation("t.pbtxt:6:1", "name: 'name' given more than once (first at 1:1); it is not a repeated field"),
                new Violation("t.pbtxt:3:66", "feature_config.features[0].id.hash_bucket_size: 'hash_bucket_size' given more "
                        + "than once (first at 3:45); it is not a repeated field")),
                e.violations());
    }

    @Test
    void singularMessageGivenTwiceAndTwoOneofMembersAreErrors() {
        String text = """
                feature_config { features { name: "u" id { input: "user.u" hash_bucket_size: 10 } } }
                train_config { batch_size: 8 }
                train_config { num_epochs: 2 }
                model_config { lr {} deepfm {} }
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parseText(text, "t.pbtxt"));
        assertEquals(2, e.violations().size(), e.getMessage());
        assertEquals(new Violation("t.pbtxt:4:22", "model_config.deepfm: 'deepfm' and 'lr' (at 4:16) are members of the same "
                + "oneof 'model'; give only one"), e.violations().get(0));
        assertEquals("t.pbtxt:3:1", e.violations().get(1).path());
        assertTrue(e.violations().get(1).message().startsWith("train_config: 'train_config' given more than once (first at 2:1)"),
                e.getMessage());
    }

    @Test
    void repeatedFieldsMayBeGivenManyTimes() {
        PipelineConfig config = ConfigParser.parseText(MINIMAL.replace("} }", "} }\n  features { name: \"v\" raw { input: \"user.v\" } }"), "r");
        assertEquals(2, config.getFeatureConfig().getFeaturesCount());
    }

    @Test
    void reportsEveryJsonNameGivenTwiceWithTheUnknownFields() {
        String json = """
                {"name": "a",
                 "featureConfig": {"features": [
                   {"name": "u", "id": {"input": "user.u", "hashBucketSize": 10, "hashBucketSize": 20}},
                   {"name": "v", "colour": 1, "raw": {"input": "user.v"}}]},
                 "name": "b",
                 "trainConfig": {"batchSize": 8, "batch_size": 16}}
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parseJson(json, "c.json"));
        assertEquals(List.of(
                new Violation("c.json:3:66", "featureConfig.features[0].id.hashBucketSize: name 'hashBucketSize' given more "
                        + "than once in one object (first at 3:44)"),
                new Violation("c.json:5:2", "name: name 'name' given more than once in one object (first at 1:2)"),
                new Violation("featureConfig.features[1].colour", "unknown field 'colour' in Feature (recspark.config.Feature)"),
                new Violation("trainConfig.batch_size", "field 'batch_size' given twice, as 'batchSize' and as 'batch_size'")),
                e.violations());
    }

    @Test
    void jsonOutsideTheStandardIsAnErrorWithItsLocation() {
        assertJsonError("{\"name\": \"a\" // note\n}", "j.json:1:14", "malformed JSON: a comment; JSON has no comments");
        assertJsonError("/* note */ {\"name\": \"a\"}", "j.json:1:1", "malformed JSON: a comment; JSON has no comments");
        assertJsonError("{\n  name: \"a\"}", "j.json:2:3",
                "malformed JSON: unquoted text 'name'; JSON strings and names use double quotes");
        assertJsonError("{'name': \"a\"}", "j.json:1:2",
                "malformed JSON: a single-quoted string; JSON strings and names use double quotes");
        assertJsonError("{\"name\": \"a\",}", "j.json:1:14", "malformed JSON: a trailing comma before '}'");
        assertJsonError("{\"featureConfig\": {\"features\": [{\"name\": \"a\"},]}}", "j.json:1:47",
                "malformed JSON: a trailing comma before ']'");
        assertJsonError("{\"trainConfig\": {\"batchSize\": NaN}}", "j.json:1:31", "malformed JSON: NaN and Infinity are not JSON numbers");
        assertJsonError("{\"name\": \"a\"} {}", "j.json:1:16", "malformed JSON: more content after the top-level value");
    }

    private static void assertJsonError(String json, String location, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parseJson(json, "j.json"));
        assertEquals(List.of(new Violation(location, message)), e.violations(), json);
    }
}
