package org.recspark.features.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.BehaviourStats;

/**
 * The streaming replay (sliding windows over per-second buckets) against the direct definition
 * (filter and count the raw list, {@link BehaviourStatsCalculator}) on random logs built to hit
 * ties at equal timestamps, events exactly at window edges, samples at event times and empty histories.
 */
class BehaviourReplayTest {

    static BehaviourStats config(boolean dedup) {
        return BehaviourStats.newBuilder().addEventTypes("click").addEventTypes("buy")
                .addWindows(10).addWindows(60).addWindows(3600)
                .setSequenceLength(4).setDedupSequence(dedup).addSequenceEventTypes("click").addSequenceEventTypes("like")
                .build();
    }

    record Query(long timestamp, String category) {}

    @Test
    void replayEqualsDirectDefinitionOnRandomLogs() {
        for (boolean dedup : new boolean[] {false, true}) {
            BehaviourStatsLayout layout = new BehaviourStatsLayout(config(dedup));
            BehaviourStatsCalculator reference = new BehaviourStatsCalculator(layout);
            SplittableRandom rnd = new SplittableRandom(dedup ? 11 : 12);
            for (int trial = 0; trial < 300; trial++) {
                List<BehaviourEvent> events = new ArrayList<>();
                int n = trial % 10 == 0 ? 0 : rnd.nextInt(60);
                String[] types = {"click", "buy", "like", "view"};
                for (int k = 0; k < n; k++) {
                    // Few distinct seconds, so ties and exact window edges are common.
                    long ts = 1000 + 10L * rnd.nextInt(30) + (rnd.nextBoolean() ? 0 : rnd.nextInt(10));
                    events.add(new BehaviourEvent("i" + rnd.nextInt(6), types[rnd.nextInt(types.length)], ts,
                            rnd.nextInt(5) == 0 ? null : "c" + rnd.nextInt(3)));
                }
                List<Query> queries = new ArrayList<>();
                for (int q = rnd.nextInt(1, 15); q > 0; q--) {
                    long ts = n > 0 && rnd.nextBoolean()
                            ? events.get(rnd.nextInt(n)).timestamp() + (rnd.nextBoolean() ? 0 : 10 * rnd.nextInt(7))
                            : 990 + rnd.nextInt(400);
                    queries.add(new Query(ts, rnd.nextInt(4) == 0 ? null : "c" + rnd.nextInt(3)));
                }
                queries.sort(java.util.Comparator.comparingLong(Query::timestamp));
                events.sort(BehaviourEvent.REPLAY_ORDER);
                checkTrial(layout, reference, events, queries, "trial " + trial + " dedup " + dedup);
            }
        }
    }

    private static void checkTrial(BehaviourStatsLayout layout, BehaviourStatsCalculator reference,
                                   List<BehaviourEvent> events, List<Query> queries, String what) {
        UserBehaviourReplayer user = new UserBehaviourReplayer(layout);
        ItemBehaviourReplayer item = new ItemBehaviourReplayer(layout);
        long[] userOut = new long[layout.userFields().size()];
        long[] itemOut = new long[layout.itemFields().size()];
        int e = 0;
        for (Query q : queries) {
            while (e < events.size() && events.get(e).timestamp() < q.timestamp()) {
                BehaviourEvent ev = events.get(e++);
                user.onEvent(ev.item(), ev.type(), ev.timestamp(), ev.category());
                item.onEvent(ev.type(), ev.timestamp());
            }
            user.countsAt(q.timestamp(), q.category(), userOut);
            item.countsAt(q.timestamp(), itemOut);
            Map<String, Object> expected = new HashMap<>();
            reference.userFields(events, q.timestamp(), expected);
            reference.itemFields(events, events, q.timestamp(), q.category(), expected);
            for (int i = 0; i < userOut.length; i++) {
                assertEquals(expected.get(layout.userFields().get(i)), userOut[i], what + " " + layout.userFields().get(i) + " at " + q);
            }
            for (int i = 0; i < itemOut.length; i++) {
                assertEquals(expected.get(layout.itemFields().get(i)), itemOut[i], what + " " + layout.itemFields().get(i) + " at " + q);
            }
            assertEquals(expected.get(BehaviourStatsLayout.SEQ_ITEMS), user.recentItems(), what + " items at " + q);
            assertEquals(expected.get(BehaviourStatsLayout.SEQ_CATEGORIES), user.recentCategories(), what + " categories at " + q);
        }
    }

    @Test
    void windowsIncludeTheirStartAndExcludeTheSampleSecond() {
        BehaviourStatsLayout layout = new BehaviourStatsLayout(config(false));
        UserBehaviourReplayer user = new UserBehaviourReplayer(layout);
        user.onEvent("i1", "click", 940, "c1");
        user.onEvent("i2", "click", 990, "c1");
        long[] out = new long[layout.userFields().size()];
        user.countsAt(1000, "c1", out);
        assertEquals(List.of("user_click_10s", "user_click_1m", "user_click_1h", "user_buy_10s", "user_buy_1m", "user_buy_1h",
                "user_cat_click_10s", "user_cat_click_1m", "user_cat_click_1h", "user_cat_buy_10s", "user_cat_buy_1m",
                "user_cat_buy_1h"), layout.userFields());
        assertEquals(1, out[0], "the event at exactly t - 10s is in the 10s window");
        assertEquals(2, out[1], "the event at exactly t - 60s is in the 1m window");
        assertEquals(2, out[7]);
        user.countsAt(1001, "c2", out);
        assertEquals(0, out[0], "the window slid past 990");
        assertEquals(0, out[6], "no clicks in c2");
        assertEquals("i2|i1", user.recentItems());
    }

    @Test
    void memoryIsBoundedBySecondsNotEvents() {
        BehaviourStatsLayout layout = new BehaviourStatsLayout(config(false));
        WindowedCounts counts = new WindowedCounts(layout.windows(), 2);
        for (long t = 0; t < 20_000; t++) {
            for (int k = 0; k < 50; k++) {
                counts.add(t, k % 2);
            }
            counts.advanceTo(t + 1);
        }
        assertTrue(counts.buckets() <= 2 * 3601, "buckets " + counts.buckets());
        assertEquals(3600 * 50, counts.count(2, 0) + counts.count(2, 1));
    }

    @Test
    void replayRefusesToGoBackInTime() {
        UserBehaviourReplayer user = new UserBehaviourReplayer(new BehaviourStatsLayout(config(false)));
        user.onEvent("i1", "click", 100, "c1");
        assertThrows(IllegalArgumentException.class, () -> user.countsAt(99, "c1", new long[12]));
    }
}
