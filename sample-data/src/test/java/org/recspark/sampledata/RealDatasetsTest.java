package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealDatasetsTest {

    private static Path movieLens() {
        var dir = SharedDatasets.movieLens100k();
        assumeTrue(dir.isPresent(), "MovieLens-100K not found under " + SharedDatasets.root() + ": skipping");
        return dir.get();
    }

    private static Path frappe() {
        var dir = SharedDatasets.frappe();
        assumeTrue(dir.isPresent(), "Frappe not found under " + SharedDatasets.root() + ": skipping");
        return dir.get();
    }

    @Test
    void readsMovieLensAndSplitsByTimeLikeTheReference() {
        MovieLens100k ml = MovieLens100k.read(movieLens());
        assertEquals(100_000, ml.ratings().size());
        assertEquals(943, ml.users().size());
        assertEquals(1682, ml.movies().size());
        MovieLens100k.Split split = ml.timeOrderedSplit(0.2);
        assertEquals(80_000, split.train().size());
        assertEquals(20_000, split.test().size());
        assertTrue(split.train().get(split.train().size() - 1).timestamp() <= split.test().get(0).timestamp());
        long positives = ml.ratings().stream().filter(r -> r.rating() >= 4).count();
        assertEquals(0.55, positives / 100_000.0, 0.02, "share of ratings >= 4");
        assertEquals(List.of("Animation", "Children's", "Comedy"), ml.movies().get(1).genres());
        assertEquals("M", ml.users().get(1).gender());
    }

    @Test
    void readsFrappe() {
        List<FrappeLibFm.Row> train = FrappeLibFm.train(frappe());
        List<FrappeLibFm.Row> test = FrappeLibFm.test(frappe());
        assertEquals(57_722, train.size());
        assertEquals(28_860, test.size());
        assertTrue(train.stream().allMatch(r -> r.indices().length == FrappeLibFm.FIELDS));
        double positives = train.stream().filter(r -> r.label() == 1f).count() / (double) train.size();
        assertTrue(positives > 0.2 && positives < 0.5, "positive share " + positives);
    }

    @Test
    void malformedLinesNameFileAndLine(@TempDir Path dir) throws Exception {
        Path libfm = dir.resolve("bad.libfm");
        Files.writeString(libfm, "1 1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1 10:1\n-1 1:1 2:1 3:1\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> FrappeLibFm.read(libfm));
        assertEquals(libfm + ":2: expected a label and 10 index:value pairs, got 3 pairs", e.getMessage());

        Path ml = dir.resolve("ml");
        Files.createDirectories(ml);
        Files.writeString(ml.resolve("u.genre"), "unknown|0\nAction|1\n");
        Files.writeString(ml.resolve("u.data"), "1\t2\t5\t881250949\n1\t3\tfive\t881250950\n");
        e = assertThrows(DataFormatException.class, () -> MovieLens100k.read(ml));
        assertEquals(ml.resolve("u.data") + ":2: rating must be an integer, got 'five'", e.getMessage());

        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, "a,b\n1,2\n3\n");
        e = assertThrows(DataFormatException.class, () -> CsvTable.forEachRow(csv, ",", List.of("a"), row -> { }));
        assertEquals(csv + ":3: expected 2 columns [a, b], got 1", e.getMessage());
        e = assertThrows(DataFormatException.class, () -> CsvTable.forEachRow(csv, ",", List.of("c"), row -> { }));
        assertEquals(csv + ":1: missing columns [c] in header [a, b]", e.getMessage());
    }
}
