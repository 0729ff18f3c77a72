package org.recspark.jobs.importance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImportanceTableTest {
    private static PermutationImportance.Result result(String name, String group, double... aucDrops) {
        double[] logloss = new double[aucDrops.length];
        for (int i = 0; i < logloss.length; i++) {
            logloss[i] = -aucDrops[i] / 10;
        }
        return new PermutationImportance.Result(new PermutationImportance.Candidate(name, group, new int[] {0}), aucDrops, logloss);
    }

    private static ImportanceTable table(ImportanceTable.RankBy rankBy) {
        return new ImportanceTable(new ImportanceTable.Settings("ctr", "click", 1000, 5000, 2, 7, rankBy),
                new PermutationImportance.Baseline(0.75, 0.4),
                List.of(result("a", "g1", 0.01, 0.03), result("b,c", "g1+g2", 0.2, 0.2), result("d", "g2", -0.01, 0.0)),
                List.of(result("g1", "g1", 0.25, 0.21)));
    }

    @Test
    void ranksByTheMeanDropAndWritesCsv() {
        ImportanceTable table = table(ImportanceTable.RankBy.AUC);
        assertEquals(List.of("b,c", "a", "d"), table.features().stream().map(r -> r.result().candidate().name()).toList());
        assertEquals("""
                kind,name,group,rows,baseline_auc,auc_drop_mean,auc_drop_std,baseline_logloss,logloss_increase_mean,logloss_increase_std,rank_by_auc
                feature,"b,c",g1+g2,1000,0.750000,0.200000,0.000000,0.400000,-0.020000,0.000000,1
                feature,a,g1,1000,0.750000,0.020000,0.014142,0.400000,-0.002000,0.001414,2
                feature,d,g2,1000,0.750000,-0.005000,0.007071,0.400000,0.000500,0.000707,3
                group,g1,g1,1000,0.750000,0.230000,0.028284,0.400000,-0.023000,0.002828,1
                """, table.csv());
    }

    @Test
    void rankedByLoglossTheOrderFollowsTheLoglossIncrease() {
        ImportanceTable table = table(ImportanceTable.RankBy.LOGLOSS);
        assertEquals(List.of("d", "a", "b,c"), table.features().stream().map(r -> r.result().candidate().name()).toList());
        JsonObject json = JsonParser.parseString(table.json()).getAsJsonObject();
        assertEquals("logloss", json.get("rank_by").getAsString());
        assertEquals(1000, json.get("rows_used").getAsLong());
        assertEquals(5000, json.get("evaluation_rows").getAsLong());
        assertEquals("d", json.getAsJsonArray("features").get(0).getAsJsonObject().get("feature").getAsString());
        assertEquals(1, json.getAsJsonArray("features").get(0).getAsJsonObject().get("rank").getAsInt());
        assertEquals("g1", json.getAsJsonArray("groups").get(0).getAsJsonObject().get("group").getAsString());
    }

    @Test
    void metricIsAucOrLogloss() {
        assertEquals(ImportanceTable.RankBy.LOGLOSS, ImportanceTable.RankBy.parse("logloss"));
        assertEquals("--metric expects auc or logloss, got 'AUC'",
                assertThrows(IllegalArgumentException.class, () -> ImportanceTable.RankBy.parse("AUC")).getMessage());
    }
}
