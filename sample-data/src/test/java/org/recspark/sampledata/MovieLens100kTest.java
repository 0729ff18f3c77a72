package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class MovieLens100kTest {
    private static final Logger LOG = LoggerFactory.getLogger(MovieLens100kTest.class);
    /**
     * SHA-256 of the test set's "user,item\n" lines as ../shared/bench/deepfm_reference.py orders
     * them (computed with its load_movielens): four ratings share the boundary timestamp, so a
     * split that broke ties differently would differ here.
     */
    private static final String REFERENCE_TEST_SET_SHA256 = "3869ac8b36b2ff0962c0d94a114978f5eabad20c00f2fa0bfe9177ea915a103d";

    @Test
    void readsTheSharedDataAndSplitsByTimeLikeTheReference() throws Exception {
        Path dir = RequiredSharedData.movieLens100k("the reader and the time split against the reference's test set");
        MovieLens100k movieLens = MovieLens100k.read(dir);
        assertEquals(100_000, movieLens.ratings().size());
        assertEquals(943, movieLens.users().size());
        assertEquals(1682, movieLens.movies().size());
        assertEquals(new MovieLens100k.MovieLensUser(1, 24, "M", "technician", "85711"), movieLens.users().get(1));
        assertEquals(new MovieLens100k.Movie(1, "Toy Story (1995)", "01-Jan-1995", List.of("Animation", "Children's", "Comedy")),
                movieLens.movies().get(1));

        MovieLens100k.Split split = movieLens.timeOrderedSplit(0.2);
        assertEquals(80_000, split.train().size());
        assertEquals(20_000, split.test().size());
        assertEquals(new MovieLens100k.Rating(3, 335, 1, 889237269L), split.train().get(split.train().size() - 1));
        assertEquals(new MovieLens100k.Rating(3, 323, 2, 889237269L), split.test().get(0));
        StringBuilder testSet = new StringBuilder();
        split.test().forEach(r -> testSet.append(r.userId()).append(',').append(r.itemId()).append('\n'));
        assertEquals(REFERENCE_TEST_SET_SHA256, HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(testSet.toString().getBytes(StandardCharsets.US_ASCII))));

        double positives = movieLens.ratings().stream().filter(r -> r.rating() >= 4).count() / 100_000.0;
        LOG.info("MovieLens-100K: share of ratings >= 4 is {}", positives);
        assertEquals(0.55375, positives, 1e-9, "share of ratings >= 4");
    }

    @Test
    void splitKeepsFileOrderForEqualTimestamps(@TempDir Path dir) throws Exception {
        writeMinimal(dir, "1\t1\t5\t300\n1\t1\t4\t100\n1\t1\t3\t300\n1\t1\t2\t200\n1\t1\t1\t300\n"
                + "1\t1\t5\t50\n1\t1\t4\t60\n1\t1\t3\t70\n1\t1\t2\t80\n1\t1\t1\t90\n");
        MovieLens100k.Split split = MovieLens100k.read(dir).timeOrderedSplit(0.3);
        assertEquals(List.of(5, 3, 1), split.test().stream().map(MovieLens100k.Rating::rating).toList(),
                "the last 3 of 10, ties at 300 in file order");
        assertEquals(7, split.train().size());

        StringBuilder hundred = new StringBuilder();
        for (int k = 0; k < 100; k++) {
            hundred.append("1\t1\t5\t").append(k).append('\n');
        }
        writeMinimal(dir, hundred.toString());
        assertEquals(29, MovieLens100k.read(dir).timeOrderedSplit(0.29).test().size(), "0.29 taken as a decimal");
    }

    @Test
    void malformedLinesNameTheFileAndLine(@TempDir Path dir) throws Exception {
        assertMalformed(dir, "1\t1\t5\t881250949\n1\t1\tfive\t881250950\n", "u.data", ":2: rating must be an integer, got 'five'");
        assertMalformed(dir, "1\t1\t5\n", "u.data", ":1: expected 4 fields (tab-separated 'user item rating timestamp'), got 3");
        assertMalformed(dir, "1\t1\t6\t881250949\n", "u.data", ":1: rating must be 1 to 5, got 6");
        assertMalformed(dir, "1\t1\t5\t881250949\n2\t1\t5\t881250949\n", "u.data", ":2: user id 2 is not in u.user");
        assertMalformed(dir, "1\t1\t5\t881250949\n\n1\t1\t5\t881250950\n", "u.data", ":2: blank line before more data at line 3");
    }

    private static void assertMalformed(Path dir, String ratings, String file, String expectedAfterFileName) throws Exception {
        writeMinimal(dir, ratings);
        DataFormatException e = assertThrows(DataFormatException.class, () -> MovieLens100k.read(dir));
        assertEquals(dir.resolve(file) + expectedAfterFileName, e.getMessage());
    }

    /** One user, one movie, two genres, and the given u.data. */
    private static void writeMinimal(Path dir, String ratings) throws Exception {
        Files.writeString(dir.resolve("u.genre"), "unknown|0\nAction|1\n\n");
        Files.writeString(dir.resolve("u.user"), "1|24|M|technician|85711\n");
        Files.writeString(dir.resolve("u.item"), "1|Toy Story (1995)|01-Jan-1995||http://x|0|1\n");
        Files.writeString(dir.resolve("u.data"), ratings);
    }
}
