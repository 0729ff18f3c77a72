package org.recspark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.recspark.trainer.distributed.CollectiveSettings;

/** The benchmark still runs: a tiny measurement of each of its parts. */
class AllReduceBenchTest {

    @Test
    void measuresEveryColumn() throws Exception {
        AllReduceBench.Row row = AllReduceBench.measure(2, 64 << 10, 3, CollectiveSettings.defaults());
        assertEquals("ring", row.defaultPath(), "64 KiB takes the ring");
        assertTrue(row.ringNanos() > 0 && row.gatherNanos() > 0 && row.channelCopyNanos() > 0 && row.streamCopyNanos() > 0,
                row.toString());
    }
}
