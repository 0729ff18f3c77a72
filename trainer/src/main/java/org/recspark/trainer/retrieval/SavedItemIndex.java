package org.recspark.trainer.retrieval;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.recspark.storage.CommittedDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ItemGraphIndex} saved to a directory (a local path or a Hadoop URI, through the storage
 * layer) so that later runs load it instead of building it again. The directory is published with
 * the project's commit protocol ({@link CommittedDirectory}: written into a hidden sibling, a marker
 * listing every file's size written last, renamed into place), and holds:
 * <ul>
 *   <li>{@value #GRAPH}: the graph in jvector's format;</li>
 *   <li>{@value #ITEM_IDS}: the item ids in index order (a count, then each id as modified UTF-8);</li>
 *   <li>{@value #MANIFEST}: the format version, the bundle's fingerprint and location, the similarity,
 *       dim, item count, degree and beam width, and the SHA-256 of the two files and of the item
 *       embeddings indexed.</li>
 * </ul>
 * Loading checks all of it against the corpus at hand before the graph is read, and refuses a
 * directory that is incomplete, corrupted (a checksum differs) or of another corpus (another bundle,
 * other item ids, other embeddings, another similarity or build setting) with a
 * {@link SavedIndexException} naming the directory and the difference: a graph of other vectors
 * would be searched without an error, but badly.
 */
public final class SavedItemIndex {
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "index.properties";
    public static final String GRAPH = "graph.bin";
    public static final String ITEM_IDS = "item_ids.bin";
    private static final Logger LOG = LoggerFactory.getLogger(SavedItemIndex.class);

    private SavedItemIndex() {}

    /**
     * What an index is built over: the embeddings of a corpus's items by one model.
     *
     * @param bundleFingerprint identifies the model (the export bundle's manifest SHA-256)
     * @param bundleLocation    where the bundle is, for messages only
     * @param itemIds           the items' raw ids as text, in index (embedding row) order
     * @param embeddings        row-major, {@code dim} floats per item
     */
    public record Corpus(String bundleFingerprint, String bundleLocation, List<String> itemIds, float[] embeddings, int dim,
                         EmbeddingSimilarity similarity) {
        public Corpus {
            itemIds = List.copyOf(itemIds);
            if (dim < 1 || embeddings.length != (long) itemIds.size() * dim) {
                throw new IllegalArgumentException(itemIds.size() + " item ids for " + embeddings.length + " floats of dim " + dim);
            }
        }
    }

    /** An index and whether it was loaded from the directory (else built, and saved there). */
    public record Opened(ItemGraphIndex index, boolean loaded) {}

    /**
     * The index saved at {@code dir} when there is one, checked against the corpus; otherwise built
     * with {@code parameters} on {@code buildThreads} threads ({@link ItemGraphIndex#build}) and saved there.
     *
     * @param givenParameters the build settings the user asked for explicitly: a saved index built
     *                        with others is refused; empty accepts the saved index's settings
     */
    public static Opened loadOrBuild(Path dir, Corpus corpus, AnnParameters parameters, int buildThreads,
                                     Optional<AnnParameters> givenParameters) {
        if (Files.exists(dir)) {
            return new Opened(load(dir, corpus, givenParameters), true);
        }
        ItemGraphIndex index = ItemGraphIndex.build(corpus.embeddings(), corpus.dim(), corpus.similarity(), parameters, buildThreads);
        save(dir, index, corpus);
        return new Opened(index, false);
    }

    /** Writes the index of {@code corpus} to {@code dir}, replacing what is there only once complete. */
    public static void save(Path dir, ItemGraphIndex index, Corpus corpus) {
        if (index.numItems() != corpus.itemIds().size() || index.dim() != corpus.dim() || index.similarity() != corpus.similarity()) {
            throw new IllegalArgumentException("an index of " + index.numItems() + " items (dim " + index.dim() + ", " + index.similarity()
                    + ") is not of a corpus of " + corpus.itemIds().size() + " items (dim " + corpus.dim() + ", " + corpus.similarity() + ")");
        }
        long started = System.nanoTime();
        CommittedDirectory out;
        try {
            out = CommittedDirectory.begin(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start writing the index at " + dir, e);
        }
        try {
            ByteArrayOutputStream graph = new ByteArrayOutputStream();
            index.writeGraph(graph);
            byte[] graphBytes = graph.toByteArray();
            byte[] idBytes = encodeIds(corpus.itemIds());
            Files.write(out.staging().resolve(GRAPH), graphBytes);
            Files.write(out.staging().resolve(ITEM_IDS), idBytes);
            Properties manifest = new Properties();
            manifest.setProperty("format_version", Integer.toString(FORMAT_VERSION));
            manifest.setProperty("bundle_fingerprint", corpus.bundleFingerprint());
            manifest.setProperty("bundle_location", corpus.bundleLocation());
            manifest.setProperty("similarity", corpus.similarity().name());
            manifest.setProperty("dim", Integer.toString(corpus.dim()));
            manifest.setProperty("items", Integer.toString(corpus.itemIds().size()));
            manifest.setProperty("degree", Integer.toString(index.parameters().degree()));
            manifest.setProperty("beam_width", Integer.toString(index.parameters().beamWidth()));
            manifest.setProperty("graph_sha256", sha256(graphBytes));
            manifest.setProperty("item_ids_sha256", sha256(idBytes));
            manifest.setProperty("embeddings_sha256", embeddingsSha256(corpus.embeddings()));
            StringWriter text = new StringWriter();
            manifest.store(text, "recspark item graph index");
            Files.writeString(out.staging().resolve(MANIFEST), text.toString(), StandardCharsets.UTF_8);
            out.commit();
        } catch (IOException | RuntimeException e) {
            out.abandon();
            throw e instanceof IOException io ? new UncheckedIOException("cannot save the index at " + dir, io) : (RuntimeException) e;
        }
        LOG.info("graph index of {} items saved to {} in {} s", corpus.itemIds().size(), dir,
                String.format(Locale.ROOT, "%.2f", (System.nanoTime() - started) / 1e9));
    }

    /**
     * The index saved at {@code dir}, after checking that it is complete, uncorrupted and of
     * {@code corpus} (and, when given, built with {@code givenParameters}).
     */
    public static ItemGraphIndex load(Path dir, Corpus corpus, Optional<AnnParameters> givenParameters) {
        long started = System.nanoTime();
        Optional<String> problem = CommittedDirectory.verify(dir);
        if (problem.isPresent()) {
            throw new SavedIndexException("the saved index " + problem.get() + "; remove it to build the index again");
        }
        try {
            Properties manifest = new Properties();
            manifest.load(new StringReader(Files.readString(dir.resolve(MANIFEST), StandardCharsets.UTF_8)));
            int version = intField(dir, manifest, "format_version");
            if (version != FORMAT_VERSION) {
                throw new SavedIndexException("the saved index " + dir + " has format version " + version + "; this build reads version "
                        + FORMAT_VERSION + ": remove it to build the index again");
            }
            byte[] graph = Files.readAllBytes(dir.resolve(GRAPH));
            byte[] ids = Files.readAllBytes(dir.resolve(ITEM_IDS));
            requireChecksum(dir, GRAPH, graph, field(dir, manifest, "graph_sha256"));
            requireChecksum(dir, ITEM_IDS, ids, field(dir, manifest, "item_ids_sha256"));
            requireSame(dir, "was built from the bundle " + field(dir, manifest, "bundle_location") + " (fingerprint "
                            + field(dir, manifest, "bundle_fingerprint") + "), not " + corpus.bundleLocation() + " (fingerprint "
                            + corpus.bundleFingerprint() + ")",
                    field(dir, manifest, "bundle_fingerprint").equals(corpus.bundleFingerprint()));
            requireSame(dir, "indexes " + field(dir, manifest, "similarity") + " embeddings, the bundle's are " + corpus.similarity(),
                    field(dir, manifest, "similarity").equals(corpus.similarity().name()));
            requireSame(dir, "indexes embeddings of dim " + field(dir, manifest, "dim") + ", the bundle's have dim " + corpus.dim(),
                    intField(dir, manifest, "dim") == corpus.dim());
            requireSameItems(dir, decodeIds(dir, ids), corpus.itemIds());
            requireSame(dir, "indexes other embeddings of the same items (the items' newest rows differ?)",
                    field(dir, manifest, "embeddings_sha256").equals(embeddingsSha256(corpus.embeddings())));
            AnnParameters saved = new AnnParameters(intField(dir, manifest, "degree"), intField(dir, manifest, "beam_width"),
                    AnnParameters.DEFAULT_OVERQUERY);
            givenParameters.ifPresent(p -> requireSame(dir, "was built with degree " + saved.degree() + " and beam width " + saved.beamWidth()
                    + ", not the degree " + p.degree() + " and beam width " + p.beamWidth() + " asked for",
                    p.degree() == saved.degree() && p.beamWidth() == saved.beamWidth()));
            ItemGraphIndex index;
            try {
                index = ItemGraphIndex.load(corpus.embeddings(), corpus.dim(), corpus.similarity(), saved, graph);
            } catch (IllegalArgumentException e) {
                throw new SavedIndexException("the saved index " + dir + " cannot be loaded: " + e.getMessage(), e);
            }
            LOG.info("graph index of {} items (degree {}, beam width {}) loaded from {} in {} s", index.numItems(), saved.degree(),
                    saved.beamWidth(), dir, String.format(Locale.ROOT, "%.2f", (System.nanoTime() - started) / 1e9));
            return index;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the saved index " + dir, e);
        }
    }

    private static void requireChecksum(Path dir, String file, byte[] content, String expected) {
        String actual = sha256(content);
        if (!actual.equals(expected)) {
            throw new SavedIndexException("the saved index " + dir + " is corrupted: " + file + " has SHA-256 " + actual + ", " + MANIFEST
                    + " says " + expected + "; remove it to build the index again");
        }
    }

    private static void requireSame(Path dir, String difference, boolean same) {
        if (!same) {
            throw new SavedIndexException("the saved index " + dir + " is not of this corpus: it " + difference
                    + "; remove it (or use another directory) to build the index of this one");
        }
    }

    private static void requireSameItems(Path dir, List<String> saved, List<String> current) {
        if (saved.equals(current)) {
            return;
        }
        int at = 0;
        while (at < saved.size() && at < current.size() && saved.get(at).equals(current.get(at))) {
            at++;
        }
        String first = at < saved.size() && at < current.size() ? "item " + at + " is '" + saved.get(at) + "' there, '" + current.get(at) + "' here"
                : "the first " + at + " agree";
        requireSame(dir, "holds " + saved.size() + " items and the corpus " + current.size() + " (" + first + ")", false);
    }

    private static String field(Path dir, Properties manifest, String name) {
        String value = manifest.getProperty(name);
        if (value == null) {
            throw new SavedIndexException("the saved index " + dir + " is damaged: " + MANIFEST + " has no " + name);
        }
        return value;
    }

    private static int intField(Path dir, Properties manifest, String name) {
        String value = field(dir, manifest, name);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new SavedIndexException("the saved index " + dir + " is damaged: " + MANIFEST + " has " + name + " '" + value + "'");
        }
    }

    private static byte[] encodeIds(List<String> ids) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(ids.size());
        for (String id : ids) {
            out.writeUTF(id);
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static List<String> decodeIds(Path dir, byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int n = in.readInt();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(in.readUTF());
            }
            return ids;
        } catch (IOException e) {
            throw new SavedIndexException("the saved index " + dir + " is damaged: " + ITEM_IDS + " cannot be read: " + e);
        }
    }

    /** The SHA-256 of the embeddings' float bits, little-endian: equal exactly when every float is. */
    static String embeddingsSha256(float[] embeddings) {
        ByteBuffer bytes = ByteBuffer.allocate(embeddings.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(embeddings);
        return sha256(bytes.array());
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
