package org.recspark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.TextFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.recspark.config.Violation;
import org.recspark.config.proto.ModelConfig;
import org.recspark.config.proto.PipelineConfig;

/** The model registry has an entry for every model the proto can select, and each model's config checks report with paths. */
class ModelTypesTest {
    private static final String FEATURES = """
            feature_config {
              features { name: "user_id" id { input: "user.user_id" hash_bucket_size: 10 } }
              features { name: "item_id" id { input: "item.item_id" hash_bucket_size: 10 } }
            }
            """;

    private static List<Violation> check(String modelConfig) throws TextFormat.ParseException {
        return ModelTypes.check(TextFormat.parse(FEATURES + modelConfig, PipelineConfig.class));
    }

    @ParameterizedTest
    @EnumSource(value = ModelConfig.ModelCase.class, mode = EnumSource.Mode.EXCLUDE, names = "MODEL_NOT_SET")
    void everyProtoModelIsRegisteredUnderItsOneofName(ModelConfig.ModelCase modelCase) {
        assertTrue(ModelTypes.isRegistered(modelCase), modelCase + " has no entry in ModelTypes");
        FieldDescriptor field = ModelConfig.getDescriptor().findFieldByNumber(modelCase.getNumber());
        assertEquals(field.getName(), ModelTypes.of(modelCase).name());
        assertEquals(modelCase, ModelTypes.of(modelCase).modelCase());
    }

    @Test
    void namesFollowTheOneof() {
        List<String> oneof = ModelConfig.getDescriptor().findFieldByNumber(ModelConfig.LR_FIELD_NUMBER).getContainingOneof()
                .getFields().stream().map(FieldDescriptor::getName).toList();
        assertEquals(oneof, ModelTypes.names());
        assertFalse(ModelTypes.isRegistered(ModelConfig.ModelCase.MODEL_NOT_SET));
        assertThrows(IllegalStateException.class, () -> ModelTypes.of(ModelConfig.ModelCase.MODEL_NOT_SET));
    }

    @Test
    void noModelSelectedHasNoModelChecks() throws TextFormat.ParseException {
        assertEquals(List.of(), check("model_config { feature_groups { name: \"g\" features: \"user_id\" } }"));
    }

    @Test
    void groupReferencesOfEveryModelAreReportedAtOnce() throws TextFormat.ParseException {
        assertEquals(List.of(
                new Violation("model_config.wide_and_deep.wide_groups[1]", "no feature group named 'w' in model_config.feature_groups [g]"),
                new Violation("model_config.wide_and_deep.deep_groups[0]", "no feature group named 'd' in model_config.feature_groups [g]")),
                check("""
                        model_config { feature_groups { name: "g" features: "user_id" }
                          wide_and_deep { wide_groups: ["g", "w"] deep_groups: "d" dnn { hidden_units: 4 } } }
                        """));
        assertEquals(List.of(
                new Violation("model_config.dssm.user_group", "no feature group named 'u' in model_config.feature_groups [g]"),
                new Violation("model_config.dssm.item_tower.hidden_units", "the towers must end in the same width to be compared: user tower 8, item tower 4")),
                check("""
                        model_config { feature_groups { name: "g" features: "user_id" }
                          dssm { user_group: "u" item_group: "g" user_tower { hidden_units: 8 } item_tower { hidden_units: [8, 4] } } }
                        """));
        assertEquals(List.of(new Violation("model_config.multi_tower.towers[1].group", "no feature group named 'x' in model_config.feature_groups [g]")),
                check("""
                        model_config { feature_groups { name: "g" features: "user_id" }
                          multi_tower { towers { group: "g" dnn { hidden_units: 4 } } towers { group: "x" dnn { hidden_units: 4 } }
                                        final_dnn { hidden_units: 4 } } }
                        """));
        assertEquals(List.of(new Violation("model_config.deepfm.groups[0]", "no feature group named 'x' in model_config.feature_groups [g]")),
                check("""
                        model_config { feature_groups { name: "g" features: "user_id" } deepfm { groups: "x" dnn { hidden_units: 4 } } }
                        """));
    }

    @Test
    void dinChecksItsSequenceGroupAndTargets() throws TextFormat.ParseException {
        assertEquals(List.of(
                new Violation("model_config.din.sequence_group", "group 'g' is DEEP, DIN attends a SEQUENCE group"),
                new Violation("model_config.din.target_features[1]", "no feature named 'nope' in feature_config")),
                check("""
                        model_config { feature_groups { name: "g" features: "user_id" }
                          din { sequence_group: "g" target_features: ["item_id", "nope"] dnn { hidden_units: 4 } } }
                        """));
        assertEquals(List.of(new Violation("model_config.din.sequence_group", "no feature group named 'h' in model_config.feature_groups [g]")),
                check("""
                        model_config { feature_groups { name: "g" features: "user_id" }
                          din { sequence_group: "h" target_features: "item_id" dnn { hidden_units: 4 } } }
                        """));
    }

    @Test
    void dbmtlRelationsNameItsTasks() throws TextFormat.ParseException {
        assertEquals(List.of(
                new Violation("model_config.dbmtl.relations[1].task", "no task named 'buy'"),
                new Violation("model_config.dbmtl.relations[1].depends_on", "no task named 'like'"),
                new Violation("model_config.dbmtl.relations[2].task", "task 'cvr' has more than one relation; list all its dependencies in one")),
                check("""
                        model_config { feature_groups { name: "g" features: "user_id" }
                          dbmtl { tasks { name: "ctr" label: "click" } tasks { name: "cvr" label: "buy" }
                                  relations { task: "cvr" depends_on: "ctr" }
                                  relations { task: "buy" depends_on: ["ctr", "like"] }
                                  relations { task: "cvr" depends_on: "ctr" } } }
                        """));
    }

    @Test
    void lrNeedsAWideGroup() throws TextFormat.ParseException {
        assertEquals(List.of(new Violation("model_config.feature_groups", "lr needs at least one WIDE feature group")),
                check("model_config { feature_groups { name: \"g\" features: \"user_id\" } lr {} }"));
        assertEquals(List.of(), check("model_config { feature_groups { name: \"g\" features: \"user_id\" type: WIDE } lr {} }"));
    }
}
