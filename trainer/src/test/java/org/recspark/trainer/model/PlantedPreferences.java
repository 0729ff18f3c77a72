package org.recspark.trainer.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.recspark.model.data.Examples;

/**
 * Retrieval data over {@link ZooFixture}'s users and items with a clean planted preference: a user
 * clicks an impression exactly when the item's category is one of the categories of its behaviour
 * history. Impressions are uniformly drawn items, {@value #TRAIN_PER_USER} per user for training
 * and {@value #TEST_PER_USER} for testing, so a model that learned the preferences ranks the test
 * clicks high and one that did not ranks them as chance does (recall@20 about 20 / 150). Built once.
 */
record PlantedPreferences(Examples train, Examples test) {
    static final int TRAIN_PER_USER = 60;
    static final int TEST_PER_USER = 20;

    private static PlantedPreferences data;

    static synchronized PlantedPreferences get() {
        if (data == null) {
            SyntheticCtrData raw = ZooFixture.data().raw();
            SplittableRandom random = new SplittableRandom(31);
            data = new PlantedPreferences(raw.examples(ZooFixture.data().generator(), rows(raw, random, TRAIN_PER_USER)),
                    raw.examples(ZooFixture.data().generator(), rows(raw, random, TEST_PER_USER)));
        }
        return data;
    }

    private static List<SyntheticCtrData.Row> rows(SyntheticCtrData raw, SplittableRandom random, int perUser) {
        List<SyntheticCtrData.Row> rows = new ArrayList<>();
        for (int k = 0; k < perUser; k++) {
            for (int user = 0; user < SyntheticCtrData.USERS; user++) {
                int item = random.nextInt(SyntheticCtrData.ITEMS);
                boolean click = raw.historyCategories(user).contains(raw.itemCategory(item));
                rows.add(new SyntheticCtrData.Row(user, item, "noon", click, false, click ? 1 : 0));
            }
        }
        return rows;
    }
}
