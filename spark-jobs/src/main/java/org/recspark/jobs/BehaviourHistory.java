package org.recspark.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.proto.BehaviourLogInput;
import org.recspark.config.proto.BehaviourStats;
import org.recspark.features.behaviour.BehaviourEvent;
import org.recspark.features.behaviour.BehaviourStatsCalculator;
import org.recspark.features.behaviour.BehaviourStatsLayout;
import org.recspark.sampledata.CsvTable;

/**
 * Every user's and item's raw events held in memory, as an online service would hold recent ones,
 * and the behaviour statistics computed from them with the feature jar's online calculator.
 * For the in-process command on small data; the Spark job replays instead.
 */
final class BehaviourHistory {
    private final BehaviourStatsCalculator calculator;
    private final Map<String, List<BehaviourEvent>> byUser;
    private final Map<String, List<BehaviourEvent>> byItem;
    private final String categoryField;

    private BehaviourHistory(BehaviourStatsCalculator calculator, Map<String, List<BehaviourEvent>> byUser,
                             Map<String, List<BehaviourEvent>> byItem, String categoryField) {
        this.calculator = calculator;
        this.byUser = byUser;
        this.byItem = byItem;
        this.categoryField = categoryField;
    }

    static BehaviourHistory load(BehaviourLogInput log, BehaviourStats stats, Path baseDir) {
        Map<String, List<BehaviourEvent>> byUser = new HashMap<>();
        Map<String, List<BehaviourEvent>> byItem = new HashMap<>();
        Path file = LocalCsvInputs.csvPath(log.getTable(), "input_config.behaviours.table", baseDir);
        long[] line = {1};
        CsvTable.forEachRow(file, LocalCsvInputs.delimiter(log.getTable()), LocalCsvInputs.columns(log.getTable()), row -> {
            line[0]++;
            long ts;
            try {
                ts = Long.parseLong(row.get(log.getTimeField()));
            } catch (NumberFormatException e) {
                throw new org.recspark.sampledata.DataFormatException(file, line[0],
                        log.getTimeField() + " must be an integer (epoch seconds), got '" + row.get(log.getTimeField()) + "'");
            }
            String category = log.hasCategoryField() ? emptyToNull(row.get(log.getCategoryField())) : null;
            BehaviourEvent event = new BehaviourEvent(row.get(log.getItemIdField()), row.get(log.getEventField()), ts, category);
            byUser.computeIfAbsent(row.get(log.getUserIdField()), k -> new ArrayList<>()).add(event);
            byItem.computeIfAbsent(event.item(), k -> new ArrayList<>()).add(event);
        });
        return new BehaviourHistory(new BehaviourStatsCalculator(new BehaviourStatsLayout(stats)), byUser, byItem,
                log.hasCategoryField() ? log.getCategoryField() : null);
    }

    void addUserFields(String user, long time, Map<String, Object> out) {
        calculator.userFields(byUser.getOrDefault(user, List.of()), time, out);
    }

    /**
     * Adds the item fields to an item's record; the item's category is its column named like the
     * log's category_field, as in the Spark job.
     */
    void addItemFields(String item, String user, long time, Map<String, Object> out) {
        Object category = categoryField == null ? null : out.get(categoryField);
        calculator.itemFields(byItem.getOrDefault(item, List.of()), byUser.getOrDefault(user, List.of()), time,
                category == null ? null : emptyToNull(category.toString()), out);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
