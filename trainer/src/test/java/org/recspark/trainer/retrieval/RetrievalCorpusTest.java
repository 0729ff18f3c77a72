package org.recspark.trainer.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.recspark.model.data.Examples;
import org.recspark.trainer.data.InMemoryEvaluationData;
import org.recspark.trainer.data.InMemoryTrainingData;
import org.recspark.trainer.model.SyntheticCtrData;
import org.recspark.trainer.model.ZooFixture;

class RetrievalCorpusTest {
    private static final int ITEM_ID = ZooFixture.data().generator().schema().index("item_id");

    @Test
    void corpusUsersRelevantAndExcludedItemsFollowTheRawRows() {
        ZooFixture.Data data = ZooFixture.data();
        List<SyntheticCtrData.Row> trainRows = data.raw().trainRows();
        List<SyntheticCtrData.Row> queryRows = data.raw().testRows();
        RetrievalCorpus corpus = RetrievalCorpus.build(RetrievalCorpus.rows(new InMemoryEvaluationData(data.test())),
                List.of(RetrievalCorpus.rows(new InMemoryTrainingData(data.train(), 3, true))), ITEM_ID, "click");

        Set<Integer> items = new HashSet<>();
        trainRows.forEach(r -> items.add(r.item()));
        queryRows.forEach(r -> items.add(r.item()));
        assertEquals(items.size(), corpus.numItems());

        Set<Long> users = new LinkedHashSet<>();
        Map<Long, Set<Integer>> clickedInTraining = new HashMap<>();
        Map<Long, Set<Integer>> clickedInQueries = new HashMap<>();
        for (SyntheticCtrData.Row r : queryRows) {
            if (r.click()) {
                users.add((long) r.user());
                clickedInQueries.computeIfAbsent((long) r.user(), u -> new HashSet<>()).add(r.item());
            }
        }
        for (SyntheticCtrData.Row r : trainRows) {
            if (r.click()) {
                clickedInTraining.computeIfAbsent((long) r.user(), u -> new HashSet<>()).add(r.item());
            }
        }
        assertArrayEquals(users.stream().mapToLong(Long::longValue).toArray(), corpus.userKeys(), "query users in first-seen order");
        long[] itemKeys = corpus.itemKeys();
        for (int u = 0; u < corpus.numUsers(); u++) {
            long user = corpus.userKeys()[u];
            Set<Integer> excluded = clickedInTraining.getOrDefault(user, Set.of());
            Set<Integer> relevant = new HashSet<>(clickedInQueries.get(user));
            relevant.removeAll(excluded);
            assertEquals(excluded, keys(corpus.excluded()[u], itemKeys), "excluded items of user " + user);
            assertEquals(relevant, keys(corpus.relevant()[u], itemKeys), "relevant items of user " + user);
        }
        // Each kept row embeds its own key: the item rows hold the items in index order, the user rows the users.
        long[] rowItems = corpus.itemRows().stream().flatMapToLong(e -> firstIds(e, ITEM_ID)).toArray();
        assertArrayEquals(itemKeys, rowItems);
        long[] rowUsers = corpus.userRows().stream().flatMapToLong(e -> java.util.Arrays.stream(e.groupKeys())).toArray();
        assertArrayEquals(corpus.userKeys(), rowUsers);
    }

    private static Set<Integer> keys(int[] indices, long[] itemKeys) {
        Set<Integer> out = new HashSet<>();
        for (int i : indices) {
            out.add((int) itemKeys[i]);
        }
        return out;
    }

    private static java.util.stream.LongStream firstIds(Examples e, int feature) {
        var values = e.sparse(feature);
        return java.util.stream.IntStream.range(0, e.numRows()).mapToLong(r -> values.ids()[values.start(r)]);
    }

    @Test
    void rowsWithoutUsersOrLabelAreRefusedNamingWhatIsMissing() {
        ZooFixture.Data data = ZooFixture.data();
        Examples test = data.test().slice(0, 10);
        Examples noUsers = new Examples(test.schema(), 10, sparseColumns(test), denseColumns(test), test.labels(), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RetrievalCorpus.build(
                RetrievalCorpus.rows(new InMemoryEvaluationData(noUsers)), List.of(), ITEM_ID, "click"));
        assertEquals("ranking metrics group the query rows by user (input_config.user_id_field), but the rows carry no user key", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RetrievalCorpus.build(
                RetrievalCorpus.rows(new InMemoryEvaluationData(test)), List.of(), ITEM_ID, "purchase"));
        assertEquals("ranking metrics need the label 'purchase' in the query rows; they have " + test.labels().keySet(), e.getMessage());
    }

    private static org.recspark.model.data.SparseValues[] sparseColumns(Examples e) {
        var specs = e.schema().features();
        var out = new org.recspark.model.data.SparseValues[specs.size()];
        for (int f = 0; f < specs.size(); f++) {
            out[f] = specs.get(f).sparse() ? e.sparse(f) : null;
        }
        return out;
    }

    private static float[][] denseColumns(Examples e) {
        var specs = e.schema().features();
        float[][] out = new float[specs.size()][];
        for (int f = 0; f < specs.size(); f++) {
            out[f] = specs.get(f).sparse() ? null : e.dense(f);
        }
        return out;
    }
}
