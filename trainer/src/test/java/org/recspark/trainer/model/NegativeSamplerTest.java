package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.features.FeatureSchema;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;
import org.recspark.model.sampling.ItemCorpus;
import org.recspark.model.sampling.NegativeSampler;

/** The item corpus negatives are drawn from, and the samplers' probabilities against their draws. */
class NegativeSamplerTest {
    private static ItemCorpus corpus() {
        FeatureSchema schema = ZooFixture.data().generator().schema();
        ItemCorpus.Collector collector = ItemCorpus.collector(schema, schema.index("item_id"),
                List.of(schema.index("category"), schema.index("quality")));
        Examples train = ZooFixture.data().train();
        for (int from = 0; from < train.numRows(); from += 500) {
            collector.add(train.slice(from, Math.min(train.numRows(), from + 500)));
        }
        return collector.build();
    }

    @Test
    void corpusHoldsEachItemOnceWithItsCountAndItsFirstRowsItemFeaturesOnly() {
        FeatureSchema schema = ZooFixture.data().generator().schema();
        Examples train = ZooFixture.data().train();
        int itemId = schema.index("item_id");
        int category = schema.index("category");
        int quality = schema.index("quality");
        Map<Long, Integer> firstRow = new HashMap<>();
        Map<Long, Long> counts = new HashMap<>();
        SparseValues ids = train.sparse(itemId);
        for (int r = 0; r < train.numRows(); r++) {
            long key = ids.ids()[ids.start(r)];
            firstRow.putIfAbsent(key, r);
            counts.merge(key, 1L, Long::sum);
        }
        ItemCorpus corpus = corpus();
        assertEquals(firstRow.size(), corpus.size(), "one row per distinct item");
        assertEquals(corpus.size(), corpus.items().numRows());
        Examples items = corpus.items();
        for (int i = 0; i < corpus.size(); i++) {
            long key = corpus.key(i);
            assertEquals(i, corpus.indexOf(key));
            assertEquals(counts.get(key), corpus.count(i), "rows of item " + key);
            int r = firstRow.get(key);
            assertArrayEquals(train.sparse(category).select(new int[]{r}).ids(), items.sparse(category).select(new int[]{i}).ids(),
                    "category of item " + key);
            assertEquals(train.dense(quality)[r], items.dense(quality)[i], "quality of item " + key);
            assertEquals(key, items.sparse(itemId).ids()[items.sparse(itemId).start(i)]);
            assertEquals(0, items.sparse(schema.index("seq_items")).select(new int[]{i}).ids().length,
                    "a feature outside the item group is left empty");
        }
        assertEquals(-1, corpus.indexOf(Long.MIN_VALUE));
    }

    @Test
    void popularityProbabilitiesAreCountToTheAlphaAndDrawsFollowThem() {
        ItemCorpus corpus = corpus();
        NegativeSampler sampler = NegativeSampler.popularity(corpus, 0.75, 0);
        double total = 0;
        for (int i = 0; i < corpus.size(); i++) {
            total += Math.pow(corpus.count(i), 0.75);
        }
        for (int i = 0; i < corpus.size(); i++) {
            assertEquals(Math.pow(corpus.count(i), 0.75) / total, sampler.probability(i), 1e-12);
        }
        assertDrawsFollowProbabilities(sampler);
    }

    @Test
    void uniformDrawsEveryItemEquallyOften() {
        ItemCorpus corpus = corpus();
        NegativeSampler sampler = NegativeSampler.uniform(corpus);
        for (int i = 0; i < corpus.size(); i++) {
            assertEquals(1.0 / corpus.size(), sampler.probability(i), 1e-15);
        }
        assertDrawsFollowProbabilities(sampler);
    }

    @Test
    void skewedCountsAreDrawnAsWeighted() {
        PlantedInteractions.Data planted = PlantedInteractions.data();
        FeatureSchema schema = planted.generator().schema();
        ItemCorpus corpus = ItemCorpus.collector(schema, schema.index("item_id"), List.of(schema.index("cluster")))
                .add(planted.train()).build();
        NegativeSampler linear = NegativeSampler.popularity(corpus, 1.0, 0);
        int most = 0;
        int least = 0;
        for (int i = 0; i < corpus.size(); i++) {
            most = corpus.count(i) > corpus.count(most) ? i : most;
            least = corpus.count(i) < corpus.count(least) ? i : least;
        }
        assertTrue(corpus.count(most) > 3 * corpus.count(least), "the fixture's items should differ in popularity");
        assertEquals((double) corpus.count(most) / corpus.count(least), linear.probability(most) / linear.probability(least), 1e-9);
        assertDrawsFollowProbabilities(linear);
    }

    @Test
    void anEmptyCorpusIsRefused() {
        FeatureSchema schema = ZooFixture.data().generator().schema();
        ItemCorpus empty = ItemCorpus.collector(schema, schema.index("item_id"), List.of()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NegativeSampler.uniform(empty));
        assertEquals("no items to draw negatives from", e.getMessage());
    }

    /** Every item's draw count lies within 5 binomial standard deviations of draws x probability. */
    private static void assertDrawsFollowProbabilities(NegativeSampler sampler) {
        int draws = 1_000_000;
        long[] seen = new long[sampler.size()];
        SplittableRandom random = new SplittableRandom(5);
        for (int batch = 0; batch < draws / 1000; batch++) {
            for (int i : sampler.sample(1000, random)) {
                seen[i]++;
            }
        }
        double totalVariation = 0;
        for (int i = 0; i < seen.length; i++) {
            double p = sampler.probability(i);
            double expected = draws * p;
            double sigma = Math.sqrt(draws * p * (1 - p));
            assertEquals(expected, seen[i], 5 * sigma + 1, "draws of item " + i + " (p " + p + ")");
            totalVariation += Math.abs(seen[i] / (double) draws - p) / 2;
        }
        assertTrue(totalVariation < 0.02, "total variation distance " + totalVariation);
    }
}
