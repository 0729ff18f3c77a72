package org.recspark.hpo.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.config.ConfigException;
import org.recspark.config.proto.Activation;
import org.recspark.config.proto.PipelineConfig;

class ConfigPathSetterTest {
    private static final PipelineConfig BASE = ParameterSpaceFixture.BASE;

    private static PipelineConfig set(String path, String value) {
        return ConfigPathSetter.set(BASE, path, value);
    }

    /** The one violation of a refused set: its path is the full path, its message is returned. */
    private static String error(String path, String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> set(path, value));
        assertEquals(1, e.violations().size(), e.getMessage());
        assertEquals(path, e.violations().get(0).path());
        return e.violations().get(0).message();
    }

    @Test
    void setsScalarsEnumsAndStringsByDottedPath() {
        assertEquals(0.25f, set("model_config.deepfm.dnn.dropout", "0.25").getModelConfig().getDeepfm().getDnn().getDropout());
        assertEquals(Activation.GELU, set("model_config.deepfm.dnn.activation", "GELU").getModelConfig().getDeepfm().getDnn().getActivation());
        assertFalse(set("train_config.shuffle", "false").getTrainConfig().getShuffle());
        assertEquals(512, set("train_config.batch_size", "512").getTrainConfig().getBatchSize());
        assertEquals(0.02, set("train_config.dense_optimizer.learning_rate.initial", "2e-2").getTrainConfig().getDenseOptimizer()
                .getLearningRate().getInitial());
        assertEquals("conversion", set("model_config.label", "conversion").getModelConfig().getLabel());
        assertEquals("a \"b\"", set("model_config.label", "\"a \\\"b\\\"\"").getModelConfig().getLabel());
    }

    @Test
    void indexesRepeatedFieldsAndCreatesUnsetMessages() {
        PipelineConfig c = set("feature_config.features[0].embedding_dim", "16");
        assertEquals(16, c.getFeatureConfig().getFeatures(0).getEmbeddingDim());
        assertEquals(8, c.getFeatureConfig().getFeatures(1).getEmbeddingDim(), "other elements stay");
        assertEquals(8, set("model_config.deepfm.dnn.hidden_units[1]", "8").getModelConfig().getDeepfm().getDnn().getHiddenUnits(1));
        PipelineConfig checkpoint = set("train_config.checkpoint.keep", "2");
        assertTrue(checkpoint.getTrainConfig().hasCheckpoint());
        assertEquals(2, checkpoint.getTrainConfig().getCheckpoint().getKeep());
        assertEquals(5.0, set("train_config.gradient_clip_norm", "5").getTrainConfig().getGradientClipNorm());
    }

    @Test
    void listsInTextFormatReplaceRepeatedFields() {
        assertEquals(List.of(64, 32), set("model_config.deepfm.dnn.hidden_units", "[64, 32]").getModelConfig().getDeepfm().getDnn().getHiddenUnitsList());
        assertEquals(List.of("user_id", "item_id"), set("model_config.feature_groups[0].features", "[\"user_id\", \"item_id\"]")
                .getModelConfig().getFeatureGroups(0).getFeaturesList());
        assertEquals(List.of("x", "y"), set("feature_config.features[3].id.vocab_list", "['x', 'y']").getFeatureConfig().getFeatures(3)
                .getId().getVocabListList());
        assertEquals(List.of(), set("model_config.deepfm.groups", "[]").getModelConfig().getDeepfm().getGroupsList());
    }

    @Test
    void messagesAreSetWholeFromTheirFieldsAndOneofMembersExplicitly() {
        var dnn = set("model_config.deepfm.dnn", "{ hidden_units: [16] dropout: 0.1 }").getModelConfig().getDeepfm().getDnn();
        assertEquals(List.of(16), dnn.getHiddenUnitsList());
        assertEquals(0.1f, dnn.getDropout());
        var optimizer = set("train_config.dense_optimizer.sgd", "momentum: 0.9").getTrainConfig().getDenseOptimizer();
        assertTrue(optimizer.hasSgd(), "naming the member as the last segment selects it");
        assertFalse(optimizer.hasAdam());
        assertEquals(0.01, optimizer.getLearningRate().getInitial(), "the optimizer's other fields stay");
        assertEquals(0.8, set("train_config.dense_optimizer.adam.beta1", "0.8").getTrainConfig().getDenseOptimizer().getAdam().getBeta1());
    }

    @Test
    void refusesToDescendThroughAnotherOneofMember() {
        String m = error("train_config.dense_optimizer.sgd.momentum", "0.9");
        assertTrue(m.contains("the oneof 'kind' of Optimizer holds 'adam', not 'sgd'"), m);
        m = error("model_config.dcn_v2.num_cross_layers", "2");
        assertTrue(m.contains("holds 'deepfm', not 'dcn_v2'"), m);
    }

    @Test
    void unknownFieldsBadIndicesAndTypeMismatchesNameThePath() {
        String m = error("model_config.deepfm.dnn.dropot", "0.1");
        assertTrue(m.startsWith("no field 'dropot' in MLP (fields: hidden_units, activation, dropout,"), m);
        assertTrue(error("modle_config.label", "x").startsWith("no field 'modle_config' in PipelineConfig"));
        assertEquals("index 99 is out of range: 'features' has 10 elements", error("feature_config.features[99].embedding_dim", "8"));
        assertEquals("expects an integer (int32), got 'big'", error("feature_config.features[0].embedding_dim", "big"));
        assertEquals("expects an integer (int32), got '0.5'", error("train_config.batch_size", "0.5"));
        assertEquals("expects an integer (int32), got '3000000000' (out of range)", error("train_config.batch_size", "3000000000"));
        assertEquals("expects a number (float), got 'NaN'", error("model_config.deepfm.dnn.dropout", "NaN"));
        assertEquals("expects true or false, got 'no'", error("train_config.shuffle", "no"));
        assertEquals("expects one of [RELU, SIGMOID, TANH, LEAKY_RELU, GELU, DICE, LINEAR] (Activation), got 'RELUX'",
                error("model_config.deepfm.dnn.activation", "RELUX"));
        assertEquals("'dropout' is not a repeated field; it cannot be indexed with [0]", error("model_config.deepfm.dnn.dropout[0]", "0.1"));
        assertEquals("'features' is a repeated field: index it, e.g. features[0]", error("feature_config.features.embedding_dim", "8"));
        assertEquals("'batch_size' is an int32, it has no field 'x'", error("train_config.batch_size.x", "1"));
        assertTrue(error("model_config.deepfm.dnn.hidden_units", "64").startsWith(
                "'hidden_units' is a repeated int32 field: expects a list in text format like [64, 32], got '64'"));
        assertTrue(error("model_config.deepfm.dnn.hidden_units", "[64, x]").startsWith("expects a list of int32 in text format, got '[64, x]'"));
        assertTrue(error("model_config.deepfm.dnn", "units: 3").startsWith("expects MLP fields in text format, got 'units: 3'"));
        assertEquals("'features[x]' is not a field name with an optional [index]",
                error("feature_config.features[x].embedding_dim", "8"));
    }

    @Test
    void leavesTheInputUnchanged() {
        PipelineConfig before = BASE;
        set("model_config.deepfm.dnn.dropout", "0.3");
        assertEquals(before, BASE);
        assertEquals(0f, BASE.getModelConfig().getDeepfm().getDnn().getDropout());
    }
}
