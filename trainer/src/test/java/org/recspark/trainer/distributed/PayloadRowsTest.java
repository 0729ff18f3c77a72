package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;

/** A payload's rows read back as {@link SparseRowsCodec} wrote them, and a payload of other tables refused. */
class PayloadRowsTest {
    private static final int[] DIMS = SparseGradientExchangeTest.DIMS;

    @Test
    void readsEveryTablesIdsAndRowsAsEncoded() {
        List<EmbeddingTable> tables = SparseGradientExchangeTest.tables();
        GatheredBytes payload = new GatheredBytes(1, 0);
        PayloadRows rows = new PayloadRows(ringOfOne());
        // A large step, then a smaller one: the kept arrays are longer than the second payload and its rows.
        for (int scale : new int[] {5, 1}) {
            SparseGradientExchangeTest.Rows[] byTable = {
                SparseGradientExchangeTest.randomRows(DIMS[0], 30 * scale, 400, 1 + scale),
                SparseGradientExchangeTest.randomRows(DIMS[1], 7 * scale, 300, 2 + scale),
                null,
                SparseGradientExchangeTest.randomRows(DIMS[3], 1, 1000, 3 + scale),
            };
            Map<EmbeddingTable, SparseGradient> gradients = SparseGradientExchangeTest.gradients(tables, byTable);
            SparseRowsCodec.encode(tables, gradients, payload);
            rows.locate(0, payload.bytes(0), 0, payload.length(0), DIMS, "reading the test payload");
            // Out of table order: each read stands alone.
            for (int t : new int[] {3, 0, 2, 1}) {
                EmbeddingTable table = tables.get(t);
                SparseGradient g = gradients.get(table);
                int expectedCount = g == null ? 0 : g.size();
                assertEquals(expectedCount, rows.count(0, t), "table " + t + "'s located rows");
                int count = rows.read(0, payload.bytes(0), t, DIMS[t]);
                assertEquals(expectedCount, count, "table " + t + "'s rows read");
                for (int i = 0; i < count; i++) {
                    assertEquals(table.idAt(g.slot(i)), rows.id(i), "table " + t + ", row " + i);
                }
                if (count > 0) {
                    assertArrayEquals(Arrays.copyOf(g.rows(), count * DIMS[t]), Arrays.copyOf(rows.rows(), count * DIMS[t]),
                            "table " + t + "'s row values, bit for bit");
                }
            }
        }
    }

    @Test
    void aPayloadOfOtherTablesFailsNamingThePhaseAndClosesTheGroup() {
        List<EmbeddingTable> tables = SparseGradientExchangeTest.tables();
        GatheredBytes payload = new GatheredBytes(1, 0);
        SparseRowsCodec.encode(tables, Map.of(), payload);
        RingCollective ring = ringOfOne();
        int[] otherDims = DIMS.clone();
        otherDims[2]++;
        CollectiveException e = assertThrows(CollectiveException.class,
                () -> new PayloadRows(ring).locate(0, payload.bytes(0), 0, payload.length(0), otherDims, "reading the test payload"));
        assertTrue(e.getMessage().contains("reading the test payload, peer rank 0: table 2 has dim"), e.getMessage());
        CollectiveException next = assertThrows(CollectiveException.class, () -> ring.allGatherLongs(1));
        assertTrue(next.getMessage().contains("on a closed group"), next.getMessage());
    }

    private static RingCollective ringOfOne() {
        return new RingCollective(new RingMember("payload-rows-test", RingSecret.generate(), 0, 1), CollectiveSettings.defaults(), null);
    }
}
