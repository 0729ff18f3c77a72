package org.recspark.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

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
    }
}
