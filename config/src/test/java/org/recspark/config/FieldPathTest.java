package org.recspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.PipelineConfig;

class FieldPathTest {
    private static Optional<String> problem(String path) {
        return FieldPath.parse(path).problemIn(PipelineConfig.getDescriptor());
    }

    @Test
    void splitsIntoFieldNamesWithTheirIndicesAsWritten() {
        FieldPath path = FieldPath.parse("feature_config.features[2].id.hash_bucket_size");
        assertEquals(4, path.size());
        assertEquals(Optional.of(new FieldPath.Segment("features", Optional.of("2"))), path.segment(1));
        assertEquals(Optional.of(new FieldPath.Segment("id", Optional.empty())), path.segment(2));
        assertEquals("features[2]", path.part(1));
    }

    @Test
    void aPartThatIsNoFieldNameHasNoSegment() {
        FieldPath path = FieldPath.parse("model_config..deepfm.a-b");
        assertEquals(4, path.size(), "an empty part is kept");
        assertEquals(Optional.empty(), path.segment(1));
        assertEquals(Optional.empty(), path.segment(3));
    }

    @Test
    void findsTheFieldALeadsToByTypesAlone() {
        assertEquals("hash_bucket_size", FieldPath.parse("feature_config.features[99].id.hash_bucket_size")
                .fieldAt(PipelineConfig.getDescriptor()).orElseThrow().getName());
        assertEquals(Optional.empty(), FieldPath.parse("model_config.deepfm.dnn.dropuot").fieldAt(PipelineConfig.getDescriptor()));
        assertEquals(Optional.empty(), FieldPath.parse("train_config.seed.x").fieldAt(PipelineConfig.getDescriptor()));
    }

    @Test
    void namesWhatKeepsAPathFromNamingAField() {
        assertEquals(Optional.empty(), problem("model_config.deepfm.dnn.dropout"));
        assertEquals(Optional.of("'model_config.deepfm.dnn.dropuot' does not name a config field: no field 'dropuot' in MLP"),
                problem("model_config.deepfm.dnn.dropuot"));
        assertEquals(Optional.of("'train_config[0].seed' indexes 'train_config', which is not a repeated field"),
                problem("train_config[0].seed"));
        assertEquals(Optional.of("'train_config.seed.x' does not name a config field: cannot descend into 'x'"),
                problem("train_config.seed.x"));
        assertEquals(Optional.of("'train_config.seed.' does not name a config field: cannot descend into ''"),
                problem("train_config.seed."), "a trailing dot is no field");
    }
}
