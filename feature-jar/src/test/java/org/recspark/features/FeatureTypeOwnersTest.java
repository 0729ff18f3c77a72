package org.recspark.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.TextFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.feature.FeatureType;
import org.recspark.config.feature.FeatureTypes;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;

/** The compiled schema agrees with what each type's owner says of the config, for every type. */
class FeatureTypeOwnersTest {
    /** One feature of every type, sparse and dense variants of the types that have both. */
    private static final String EVERY_TYPE = """
            features { name: "city" id { input: "user.city" vocab_file: "cities.txt" } }
            features { name: "hour" id { input: "context.hour" num_buckets: 24 } }
            features { name: "price" raw { input: "item.price" dim: 3 } }
            features { name: "age" raw { input: "user.age" boundaries: [18, 30, 50] } }
            features { name: "tags" tag { input: "item.tags" vocab_file: "tags.txt" } }
            features { name: "cross" combo { inputs: ["user.city", "item.cat"] hash_bucket_size: 1000 } }
            features { name: "clicks" lookup { map_input: "user.clicks" key_input: "item.cat" } }
            features { name: "clicks_bucket" lookup { map_input: "user.clicks" key_input: "item.cat" boundaries: [1, 10] } }
            features { name: "likes" match { map_input: "user.likes" key_input: "item.cat" } }
            features { name: "seen" sequence { input: "user.seen" vocab_file: "items.txt" max_length: 5 } }
            """;

    private static FeatureConfig everyType(Path dir) throws Exception {
        Files.writeString(dir.resolve("cities.txt"), "paris\nlyon\n");
        Files.writeString(dir.resolve("tags.txt"), "a\nb\nc\n");
        Files.writeString(dir.resolve("items.txt"), "i1\ni2\ni3\ni4\n");
        return TextFormat.parse(EVERY_TYPE, FeatureConfig.class);
    }

    @Test
    void theSchemaHoldsTheOwnersFactsForEveryType(@TempDir Path dir) throws Exception {
        FeatureConfig config = everyType(dir);
        FeatureSchema schema = FeatureGenerator.compile(config, dir).schema();
        Set<Feature.TypeCase> covered = EnumSet.noneOf(Feature.TypeCase.class);
        for (Feature feature : config.getFeaturesList()) {
            FeatureType owner = FeatureTypes.of(feature);
            FeatureSpec spec = schema.spec(feature.getName());
            covered.add(feature.getTypeCase());
            assertEquals(owner.inputs(feature), spec.inputs(), feature.getName());
            assertEquals(owner.sparse(feature), spec.sparse(), feature.getName());
            assertEquals(owner.embeddingTable(feature), spec.embeddingTable(), feature.getName());
            if (owner.idSpaceSize(feature).isPresent()) {
                assertEquals(owner.idSpaceSize(feature).getAsLong(), spec.idSpaceSize(), feature.getName());
            }
            if (!spec.sparse()) {
                assertEquals(owner.rowWidth(feature), spec.denseDim(), feature.getName());
            }
        }
        Set<Feature.TypeCase> every = EnumSet.allOf(Feature.TypeCase.class);
        every.remove(Feature.TypeCase.TYPE_NOT_SET);
        assertEquals(every, covered, "add a feature of the new type to EVERY_TYPE");
        assertEquals(3, schema.spec("city").idSpaceSize(), "2 values of the file and the out-of-vocabulary id");
        assertEquals(5, schema.spec("seen").idSpaceSize());
    }

    @Test
    void inliningVocabularyFilesKeepsEveryIdSpace(@TempDir Path dir) throws Exception {
        FeatureConfig config = everyType(dir);
        FeatureConfig inlined = Vocabularies.inline(config, dir);
        for (Feature feature : inlined.getFeaturesList()) {
            assertFalse(FeatureTypes.of(feature).vocabularyFile(feature).isPresent(), feature.getName());
        }
        assertEquals(java.util.List.of("paris", "lyon"), inlined.getFeatures(0).getId().getVocabListList());
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        assertEquals(FeatureGenerator.compile(config, dir).schema().features(),
                FeatureGenerator.compile(inlined, elsewhere).schema().features());
    }
}
