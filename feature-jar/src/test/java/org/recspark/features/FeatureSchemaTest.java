package org.recspark.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigException;

class FeatureSchemaTest {

    @Test
    void embeddingTablesAreLaidOutInOrderAndSharedTablesShareOffsets() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator("""
                features { name: "uid" id { input: "user.user_id" hash_bucket_size: 100 } }
                features { name: "price" raw { input: "item.price" } }
                features { name: "interests" tag { input: "user.interests" hash_bucket_size: 50 } shared_embedding: "cat" }
                features { name: "hour" id { input: "context.hour" num_buckets: 24 } }
                features { name: "category" id { input: "item.category" hash_bucket_size: 50 } shared_embedding: "cat" }
                features { name: "age" raw { input: "user.age" boundaries: [18, 30] } }
                """);
        FeatureSchema schema = g.schema();
        assertEquals(0, schema.spec("uid").idOffset());
        assertEquals(100, schema.spec("interests").idOffset());
        assertEquals(100 + 50 + 24, schema.spec("age").idOffset());
        assertEquals(150, schema.spec("hour").idOffset());
        assertEquals(100, schema.spec("category").idOffset(), "shared table, shared offset");
        assertEquals("cat", schema.spec("category").embeddingTable());
        assertEquals(100 + 50 + 24 + 3, schema.totalIds());
        assertFalse(schema.spec("price").sparse());
        assertEquals(1, schema.spec("price").denseDim());
        assertEquals(Set.of(Side.ITEM), schema.spec("category").sides());
        assertTrue(schema.spec("category").perItem());
        assertFalse(schema.spec("hour").perItem());
        assertEquals(FeatureSide.ITEM, schema.spec("category").side());
        assertEquals(FeatureSide.REQUEST, schema.spec("hour").side());
        assertEquals("price", schema.spec("price").name());
        assertEquals(0, schema.spec("price").idOffset(), "dense features have no ids");
        assertEquals(0, schema.spec("price").idSpaceSize());
    }

    @Test
    void specsCarryTheEmbeddingSettings() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator("""
                features { name: "tags" tag { input: "item.tags" kv_separator: ":" vocab_list: ["a", "b"] }
                           embedding_dim: 8 pooling: SUM }
                features { name: "ctr" raw { input: "item.ctr" dim: 4 } }
                """);
        FeatureSpec tags = g.schema().spec("tags");
        assertEquals(org.recspark.config.proto.Feature.TypeCase.TAG, tags.type());
        assertEquals(java.util.List.of("item.tags"), tags.inputs());
        assertTrue(tags.sparse());
        assertTrue(tags.weighted());
        assertEquals(3, tags.idSpaceSize(), "2 values and the out-of-vocabulary id 0");
        assertEquals(8, tags.embeddingDim());
        assertEquals(org.recspark.config.proto.Pooling.SUM, tags.pooling());
        assertEquals("tags", tags.embeddingTable());
        assertEquals(4, g.schema().spec("ctr").denseDim());
        assertEquals(3, g.schema().totalIds());
        assertEquals(1, g.schema().index("ctr"));
    }

    @Test
    void sharedTablesMustAgreeOnceVocabularyFilesAreRead(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("cats.txt"), "c1\nc2\nc3\n");
        org.recspark.config.proto.FeatureConfig config = com.google.protobuf.TextFormat.parse("""
                features { name: "interests" tag { input: "user.interests" vocab_file: "cats.txt" } shared_embedding: "cat" }
                features { name: "category" id { input: "item.category" vocab_list: ["c1", "c2"] } shared_embedding: "cat" }
                """, org.recspark.config.proto.FeatureConfig.class);
        ConfigException e = assertThrows(ConfigException.class, () -> FeatureGenerator.compile(config, dir));
        assertEquals("feature_config.features[1]", e.violations().get(0).path());
        assertEquals("shares embedding 'cat' of 4 ids but has 3 ids", e.violations().get(0).message());
    }
}
