package org.recspark.config.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.recspark.config.Violation;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;

class FeatureTypesTest {

    private static FieldDescriptor typeField(Feature.TypeCase type) {
        return Feature.getDescriptor().findFieldByNumber(type.getNumber());
    }

    @Test
    void everyTypeOfTheOneofHasAnOwnerNamedAfterItsField() {
        FeatureType untyped = FeatureTypes.of(Feature.TypeCase.TYPE_NOT_SET);
        for (Feature.TypeCase type : Feature.TypeCase.values()) {
            if (type == Feature.TypeCase.TYPE_NOT_SET) {
                continue;
            }
            FeatureType owner = FeatureTypes.of(type);
            assertNotSame(untyped, owner, type + " has no owner of its own");
            assertEquals(typeField(type).getName(), owner.name(), type.toString());
        }
    }

    /** A type whose message has a vocab_file exports it into bundles and inlines it; a type without one has none. */
    @Test
    void everyTypeWithAVocabularyFileExposesIt() {
        for (Feature.TypeCase type : Feature.TypeCase.values()) {
            if (type == Feature.TypeCase.TYPE_NOT_SET) {
                continue;
            }
            FieldDescriptor field = typeField(type);
            FieldDescriptor vocabFile = field.getMessageType().findFieldByName("vocab_file");
            Message.Builder typed = Feature.newBuilder().newBuilderForField(field);
            if (vocabFile != null) {
                typed.setField(vocabFile, "vocab/v.txt");
            }
            Feature feature = Feature.newBuilder().setName("f").setField(field, typed.build()).build();
            FeatureType owner = FeatureTypes.of(feature);
            if (vocabFile == null) {
                assertEquals(Optional.empty(), owner.vocabularyFile(feature), type.toString());
                continue;
            }
            assertEquals(Optional.of("vocab/v.txt"), owner.vocabularyFile(feature), type.toString());
            Feature moved = owner.withVocabularyFile(feature, "bundle/f.txt");
            assertEquals(Optional.of("bundle/f.txt"), owner.vocabularyFile(moved), type.toString());
            Feature inlined = owner.withVocabularyList(feature, List.of("a", "b"));
            assertEquals(Optional.empty(), owner.vocabularyFile(inlined), type.toString());
            assertEquals(OptionalLong.of(3), owner.idSpaceSize(inlined), type + ": two values and the out-of-vocabulary id");
        }
    }

    @Test
    void ownersKnowInputsSparsityAndIdSpacesFromTheConfig() throws TextFormat.ParseException {
        FeatureConfig config = TextFormat.parse("""
                features { name: "city" id { input: "user.city" hash_bucket_size: 100 } shared_embedding: "place" }
                features { name: "price" raw { input: "item.price" dim: 3 } }
                features { name: "age" raw { input: "user.age" boundaries: [18, 30, 50] } }
                features { name: "tags" tag { input: "item.tags" vocab_list: ["a", "b", "c"] } }
                features { name: "cross" combo { inputs: ["user.city", "item.cat"] hash_bucket_size: 1000 } }
                features { name: "clicks" lookup { map_input: "user.clicks" key_input: "item.cat" } }
                features { name: "likes" match { map_input: "user.likes" key_input: "item.cat" } }
                features { name: "seen" sequence { input: "user.seen" num_buckets: 500 max_length: 20 } embedding_dim: 8 }
                """, FeatureConfig.class);
        List<Feature> features = config.getFeaturesList();
        List<String> facts = new ArrayList<>();
        for (Feature f : features) {
            FeatureType t = FeatureTypes.of(f);
            facts.add(f.getName() + " " + t.name() + " " + t.inputs(f) + " sparse=" + t.sparse(f) + " ids="
                    + t.idSpaceSize(f) + " width=" + t.rowWidth(f) + " table=" + t.embeddingTable(f));
        }
        assertEquals(List.of(
                "city id [user.city] sparse=true ids=OptionalLong[100] width=16 table=place",
                "price raw [item.price] sparse=false ids=OptionalLong.empty width=3 table=price",
                "age raw [user.age] sparse=true ids=OptionalLong[4] width=16 table=age",
                "tags tag [item.tags] sparse=true ids=OptionalLong[4] width=16 table=tags",
                "cross combo [user.city, item.cat] sparse=true ids=OptionalLong[1000] width=16 table=cross",
                "clicks lookup [user.clicks, item.cat] sparse=false ids=OptionalLong.empty width=1 table=clicks",
                "likes match [user.likes, item.cat] sparse=false ids=OptionalLong.empty width=1 table=likes",
                "seen sequence [user.seen] sparse=true ids=OptionalLong[500] width=160 table=seen"), facts);
    }

    @Test
    void aFeatureWithoutATypeIsReportedWithEveryTypeNamed() {
        Feature untyped = Feature.newBuilder().setName("x").build();
        List<Violation> out = new ArrayList<>();
        FeatureTypes.of(untyped).check(untyped, "feature_config.features[0]", out);
        assertEquals(List.of(new Violation("feature_config.features[0]",
                "no feature type set: expected one of id, raw, tag, combo, lookup, match, sequence")), out);
        assertFalse(FeatureTypes.of(untyped).sparse(untyped));
        assertTrue(FeatureTypes.of(untyped).inputs(untyped).isEmpty());
    }
}
