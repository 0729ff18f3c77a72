package org.recspark.jobs.daily;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.config.ConfigParser;
import org.recspark.evaluator.drift.FeatureValues;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.trainer.data.Examples;
import org.recspark.trainer.data.ExamplesBuilder;

/** What the drift guards read of a day's examples: values, and which rows count as missing. Without Spark. */
class FeatureDistributionsTest {

    @Test
    void sparseRowsWithoutIdsAndDenseRowsOfNaNAreMissing() {
        FeatureSchema schema = FeatureGenerator.compile(ConfigParser.parseText("""
                feature_config {
                  features { name: "tags" tag { input: "item.tags" hash_bucket_size: 100 } }
                  features { name: "price" raw { input: "item.price" } }
                }
                """, "test").getFeatureConfig(), Path.of(".")).schema();
        ExamplesBuilder builder = new ExamplesBuilder(schema, List.of("click"));
        builder.addRow(new long[][]{{3, 7}, null}, new float[2][], new float[][]{null, {1.5f}}, new float[]{1}, null);
        builder.addRow(new long[][]{{}, null}, new float[2][], new float[][]{null, {Float.NaN}}, new float[]{0}, null);
        builder.addRow(new long[][]{{7}, null}, new float[2][], new float[][]{null, {4f}}, new float[]{0}, null);
        Examples examples = builder.build();

        FeatureValues tags = FeatureDistributions.of(examples, "tags");
        assertFalse(tags.isNumeric());
        assertArrayEquals(new long[]{3, 7, 7}, tags.ids());
        assertEquals(3, tags.rows());
        assertEquals(1, tags.missingRows());

        FeatureValues price = FeatureDistributions.of(examples, "price");
        assertTrue(price.isNumeric());
        assertArrayEquals(new double[]{1.5, Double.NaN, 4}, price.numeric());
        assertEquals(1, price.missingRows());
        assertEquals(1.0 / 3, price.missingRate(), 1e-15);
    }
}
