package org.recspark.jobs.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.storage.CommittedDirectory;
import org.recspark.storage.Locations;
import org.recspark.testhdfs.LocalHdfs;
import org.recspark.trainer.retrieval.AnnParameters;
import org.recspark.trainer.retrieval.EmbeddingSimilarity;
import org.recspark.trainer.retrieval.SavedIndexException;
import org.recspark.trainer.retrieval.SavedItemIndex;
import org.recspark.trainer.retrieval.TopKResult;

/** retrieve's saved graph index on a real HDFS, through the java.nio provider: saved with the commit protocol, loaded, and refused when damaged. */
class HdfsSavedItemIndexTest {
    private static final int DIM = 8;

    @TempDir
    static Path tmp;
    static LocalHdfs hdfs;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        hdfs = LocalHdfs.start(tmp.resolve("hdfs"));
    }

    @AfterAll
    static void stop() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Test
    void anIndexSavedOnHdfsIsLoadedAndACorruptedOneRefused() throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] items = new float[1_000 * DIM];
        float[] users = new float[50 * DIM];
        for (int i = 0; i < items.length; i++) {
            items[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < users.length; i++) {
            users[i] = (float) rnd.nextGaussian();
        }
        SavedItemIndex.Corpus corpus = new SavedItemIndex.Corpus("fp", "hdfs bundle", IntStream.range(0, 1_000).mapToObj(Integer::toString)
                .toList(), items, DIM, EmbeddingSimilarity.INNER_PRODUCT);
        Path dir = Locations.of(hdfs.uri() + "/indexes/items");
        AnnParameters parameters = new AnnParameters(8, 32, 4);
        SavedItemIndex.Opened built = SavedItemIndex.loadOrBuild(dir, corpus, parameters, 1, Optional.empty());
        assertFalse(built.loaded());
        assertTrue(CommittedDirectory.isCommitted(dir));
        SavedItemIndex.Opened loaded = SavedItemIndex.loadOrBuild(dir, corpus, parameters, 1, Optional.empty());
        assertTrue(loaded.loaded());
        int[][] none = new int[50][0];
        TopKResult a = built.index().search(users, none, 10, 4, 1);
        TopKResult b = loaded.index().search(users, none, 10, 4, 1);
        for (int u = 0; u < 50; u++) {
            assertArrayEquals(a.items()[u], b.items()[u]);
        }

        Path ids = dir.resolve(SavedItemIndex.ITEM_IDS);
        byte[] bytes = Files.readAllBytes(ids);
        bytes[bytes.length - 1] ^= 1;
        Files.write(ids, bytes);
        SavedIndexException e = assertThrows(SavedIndexException.class, () -> SavedItemIndex.load(dir, corpus, Optional.empty()));
        assertTrue(e.getMessage().contains("is corrupted: item_ids.bin has SHA-256 "), e.getMessage());
    }
}
