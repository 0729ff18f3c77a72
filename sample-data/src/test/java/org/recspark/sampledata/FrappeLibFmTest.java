package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class FrappeLibFmTest {
    private static final Logger LOG = LoggerFactory.getLogger(FrappeLibFmTest.class);

    @Test
    void readsTheSharedFrappeSplit() {
        Path dir = RequiredSharedData.frappe("the row counts and labels of the Frappe split");
        List<LibFmRow> train = FrappeLibFm.train(dir);
        List<LibFmRow> test = FrappeLibFm.test(dir);
        assertEquals(57_722, train.size());
        assertEquals(28_860, test.size());
        for (List<LibFmRow> rows : List.of(train, test)) {
            assertTrue(rows.stream().allMatch(r -> r.indices().length == FrappeLibFm.FIELDS && r.values().length == FrappeLibFm.FIELDS));
            assertTrue(rows.stream().allMatch(r -> r.label() == 0f || r.label() == 1f));
        }
        double positives = train.stream().filter(r -> r.label() == 1f).count() / (double) train.size();
        LOG.info("Frappe: {} train rows ({} positive), {} test rows", train.size(), positives, test.size());
        assertEquals(1 / 3.0, positives, 0.02, "share of positive labels");
    }

    @Test
    void readsLabelsAndPairs(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("ok.libfm"), "-1 0:1 1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:0.5\n1 10:1 11:1 12:1 13:1 14:1 15:1 16:1 17:1 18:1 19:2\n");
        assertEquals(List.of(
                new LibFmRow(0f, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5f}),
                new LibFmRow(1f, new int[] {10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 2})),
                FrappeLibFm.read(file));
    }

    @Test
    void malformedLinesNameTheFileAndLine(@TempDir Path dir) throws Exception {
        String good = "1 1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1 10:1\n";
        assertMalformed(dir, good + "-1 1:1 2:1 3:1\n", ":2: expected a label and 10 index:value pairs, got 3 pairs");
        assertMalformed(dir, good + good + "0 1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1 10:1\n", ":3: label must be -1 or 1, got '0'");
        assertMalformed(dir, "1 1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1 x:1\n",
                ":1: pair 10 must be index:value with a non-negative integer index and a finite value, got 'x:1'");
        assertMalformed(dir, "1 1:1 2 3:1 4:1 5:1 6:1 7:1 8:1 9:1 10:1\n",
                ":1: pair 2 must be index:value with a non-negative integer index and a finite value, got '2'");
    }

    @Test
    void aFieldGivenTwiceOrOutOfOrderIsMalformed(@TempDir Path dir) throws Exception {
        assertMalformed(dir, "1 1:1 2:1 3:1 4:1 4:1 6:1 7:1 8:1 9:1 10:1\n", ":1: pair 5 has index 4, not above pair 4's 4: each of the 10 "
                + "fields has one pair, in increasing index order (a field given twice, or pairs out of order)");
        assertMalformed(dir, "1 2:1 1:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1 10:1\n", ":1: pair 2 has index 1, not above pair 1's 2: each of the 10 "
                + "fields has one pair, in increasing index order (a field given twice, or pairs out of order)");
    }

    private static void assertMalformed(Path dir, String content, String expectedAfterFileName) throws Exception {
        Path file = Files.writeString(Files.createTempFile(dir, "bad", ".libfm"), content);
        DataFormatException e = assertThrows(DataFormatException.class, () -> FrappeLibFm.read(file));
        assertEquals(file + expectedAfterFileName, e.getMessage());
    }
}
