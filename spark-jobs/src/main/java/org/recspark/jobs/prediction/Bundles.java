package org.recspark.jobs.prediction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.predictor.Predictor;
import org.recspark.storage.Locations;

/**
 * Export bundles as executors see them: loaded where they are (a local path or a Hadoop URI such
 * as hdfs:// or s3a://, read through {@link Locations}), without a local copy. One predictor per
 * bundle and JVM, shared by the tasks that run there (it is thread-safe), until the bundle at that
 * location changes: a model exported again to the same directory (a rerun of {@code train}, a
 * notebook or a local JVM running several commands) is loaded again, never served stale.
 */
public final class Bundles {
    /** A predictor and the manifest checksum of the bundle it was loaded from, which names the bundle's whole content. */
    private record Loaded(String manifestChecksum, Predictor predictor) {}

    private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();

    private Bundles() {
    }

    public static Predictor predictor(String bundle) {
        Path dir = Locations.of(bundle);
        String checksum = manifestChecksum(dir);
        return LOADED.compute(Locations.uri(dir), (uri, loaded) -> loaded != null && loaded.manifestChecksum().equals(checksum)
                ? loaded : new Loaded(checksum, Predictor.load(dir))).predictor();
    }

    private static String manifestChecksum(Path dir) {
        // Asked first so that a store that does not answer is named as such (LocationUnavailableException),
        // not taken for a bundle without a checksum.
        if (!Files.isRegularFile(dir.resolve(ExportBundle.MANIFEST))) {
            // Not a loadable bundle: Predictor.load refuses it, naming what is missing.
            return "";
        }
        Path file = dir.resolve(ExportBundle.MANIFEST_CHECKSUM);
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            // Not a loadable bundle: Predictor.load refuses it, naming what is missing.
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
