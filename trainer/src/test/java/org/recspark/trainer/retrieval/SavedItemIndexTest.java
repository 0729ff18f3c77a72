package org.recspark.trainer.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.storage.CommittedDirectory;

class SavedItemIndexTest {
    private static final int DIM = 16;
    private static final int ITEMS = 2_000;
    private static final AnnParameters PARAMETERS = new AnnParameters(16, 64, 4);

    @TempDir
    Path dir;

    private static float[] gaussian(long seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) rnd.nextGaussian();
        }
        return out;
    }

    private static List<String> ids(int n) {
        return IntStream.range(0, n).mapToObj(i -> "item-" + (1000 + i)).toList();
    }

    private static SavedItemIndex.Corpus corpus(String bundle, List<String> ids, float[] items) {
        return new SavedItemIndex.Corpus(bundle, "/models/" + bundle, ids, items, DIM, EmbeddingSimilarity.INNER_PRODUCT);
    }

    private final float[] items = gaussian(1, ITEMS * DIM);
    private final float[] users = gaussian(2, 200 * DIM);
    private final int[][] excluded = IntStream.range(0, 200).mapToObj(u -> new int[] {u, u + 7}).toArray(int[][]::new);

    private Path saved() {
        Path index = dir.resolve("index");
        SavedItemIndex.Opened built = SavedItemIndex.loadOrBuild(index, corpus("b1", ids(ITEMS), items), PARAMETERS, 1, Optional.empty());
        assertFalse(built.loaded());
        return index;
    }

    @Test
    void aSavedIndexIsLoadedAndRanksAsTheBuiltOne() {
        Path index = dir.resolve("index");
        SavedItemIndex.Opened built = SavedItemIndex.loadOrBuild(index, corpus("b1", ids(ITEMS), items), PARAMETERS, 1, Optional.empty());
        assertFalse(built.loaded());
        assertTrue(CommittedDirectory.isCommitted(index));
        SavedItemIndex.Opened loaded = SavedItemIndex.loadOrBuild(index, corpus("b1", ids(ITEMS), items), PARAMETERS, 1, Optional.of(PARAMETERS));
        assertTrue(loaded.loaded());
        assertEquals(PARAMETERS.degree(), loaded.index().parameters().degree());
        assertEquals(PARAMETERS.beamWidth(), loaded.index().parameters().beamWidth());

        TopKResult fromBuilt = built.index().search(users, excluded, 20, 4, 2);
        TopKResult fromLoaded = loaded.index().search(users, excluded, 20, 4, 2);
        for (int u = 0; u < excluded.length; u++) {
            assertArrayEquals(fromBuilt.items()[u], fromLoaded.items()[u], "user " + u);
            assertArrayEquals(fromBuilt.scores()[u], fromLoaded.scores()[u], "user " + u);
        }
        // Not an exact search in disguise: the graph search misses some of the exact top 20 of random vectors.
        double recall = fromLoaded.recallAgainst(new ExactTopK(2).search(users, items, DIM, excluded, 20));
        assertTrue(recall > 0.5 && recall < 1, "recall " + recall);
    }

    @Test
    void anIndexOfAnotherBundleItemsOrEmbeddingsIsRefused() {
        Path index = saved();
        SavedIndexException otherBundle = assertThrows(SavedIndexException.class,
                () -> SavedItemIndex.load(index, corpus("b2", ids(ITEMS), items), Optional.empty()));
        assertTrue(otherBundle.getMessage().contains("is not of this corpus: it was built from the bundle /models/b1 (fingerprint b1), "
                + "not /models/b2 (fingerprint b2); remove it"), otherBundle.getMessage());

        List<String> renamed = new ArrayList<>(ids(ITEMS));
        renamed.set(5, "item-x");
        SavedIndexException otherIds = assertThrows(SavedIndexException.class,
                () -> SavedItemIndex.load(index, corpus("b1", renamed, items), Optional.empty()));
        assertTrue(otherIds.getMessage().contains("holds 2000 items and the corpus 2000 (item 5 is 'item-1005' there, 'item-x' here)"),
                otherIds.getMessage());
        float[] fewer = java.util.Arrays.copyOf(items, (ITEMS - 1) * DIM);
        SavedIndexException fewerItems = assertThrows(SavedIndexException.class,
                () -> SavedItemIndex.load(index, corpus("b1", ids(ITEMS - 1), fewer), Optional.empty()));
        assertTrue(fewerItems.getMessage().contains("holds 2000 items and the corpus 1999 (the first 1999 agree)"), fewerItems.getMessage());

        float[] moved = items.clone();
        moved[3] += 1e-3f;
        SavedIndexException otherEmbeddings = assertThrows(SavedIndexException.class,
                () -> SavedItemIndex.load(index, corpus("b1", ids(ITEMS), moved), Optional.empty()));
        assertTrue(otherEmbeddings.getMessage().contains("indexes other embeddings of the same items"), otherEmbeddings.getMessage());

        SavedItemIndex.Corpus cosine = new SavedItemIndex.Corpus("b1", "/models/b1", ids(ITEMS), items, DIM, EmbeddingSimilarity.COSINE);
        SavedIndexException otherSimilarity = assertThrows(SavedIndexException.class,
                () -> SavedItemIndex.load(index, cosine, Optional.empty()));
        assertTrue(otherSimilarity.getMessage().contains("indexes INNER_PRODUCT embeddings, the bundle's are COSINE"), otherSimilarity.getMessage());

        SavedIndexException otherSettings = assertThrows(SavedIndexException.class,
                () -> SavedItemIndex.load(index, corpus("b1", ids(ITEMS), items), Optional.of(new AnnParameters(32, 64, 4))));
        assertTrue(otherSettings.getMessage().contains("was built with degree 16 and beam width 64, not the degree 32 and beam width 64 asked for"),
                otherSettings.getMessage());
    }

    @Test
    void aCorruptedTruncatedOrIncompleteIndexIsRefused() throws IOException {
        Path index = saved();
        Path graph = index.resolve(SavedItemIndex.GRAPH);
        byte[] original = Files.readAllBytes(graph);

        byte[] flipped = original.clone();
        flipped[flipped.length / 2] ^= 0x10;
        Files.write(graph, flipped);
        SavedIndexException corrupted = assertThrows(SavedIndexException.class,
                () -> SavedItemIndex.load(index, corpus("b1", ids(ITEMS), items), Optional.empty()));
        assertTrue(corrupted.getMessage().contains("is corrupted: graph.bin has SHA-256 "), corrupted.getMessage());

        Files.write(graph, java.util.Arrays.copyOf(original, original.length - 4));
        SavedIndexException truncated = assertThrows(SavedIndexException.class,
                () -> SavedItemIndex.load(index, corpus("b1", ids(ITEMS), items), Optional.empty()));
        assertTrue(truncated.getMessage().contains("is damaged: graph.bin has " + (original.length - 4) + " bytes, " + original.length
                + " were written"), truncated.getMessage());

        Files.write(graph, original);
        Files.delete(index.resolve(CommittedDirectory.MARKER));
        SavedIndexException incomplete = assertThrows(SavedIndexException.class,
                () -> SavedItemIndex.loadOrBuild(index, corpus("b1", ids(ITEMS), items), PARAMETERS, 1, Optional.empty()));
        assertTrue(incomplete.getMessage().contains("is incomplete: it has no _COMMITTED marker"), incomplete.getMessage());
    }

    @Test
    void aManifestFromAnotherFormatVersionIsRefused() throws IOException {
        Path index = saved();
        Path manifest = index.resolve(SavedItemIndex.MANIFEST);
        String text = Files.readString(manifest);
        // Same length, so the commit marker's sizes still hold and the version check is what refuses it.
        Files.writeString(manifest, text.replace("format_version=1", "format_version=9"));
        SavedIndexException e = assertThrows(SavedIndexException.class,
                () -> SavedItemIndex.load(index, corpus("b1", ids(ITEMS), items), Optional.empty()));
        assertTrue(e.getMessage().contains("has format version 9; this build reads version 1"), e.getMessage());
    }
}
