package org.recspark.jobs.prediction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.recspark.predictor.Predictor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Export bundles as executors see them: a local path is loaded in place; a Hadoop URI (hdfs://,
 * s3a://, ...) is first copied to a local temporary directory, since the predictor reads local
 * files. One predictor per bundle and JVM, shared by the tasks that run there (it is thread-safe).
 */
public final class Bundles {
    private static final Logger LOG = LoggerFactory.getLogger(Bundles.class);
    private static final Map<String, Predictor> LOADED = new ConcurrentHashMap<>();

    private Bundles() {
    }

    public static Predictor predictor(String bundle) {
        return LOADED.computeIfAbsent(bundle, b -> Predictor.load(localCopy(b)));
    }

    static Path localCopy(String bundle) {
        URI uri = URI.create(bundle.replace(" ", "%20"));
        if (uri.getScheme() == null || uri.getScheme().equals("file")) {
            return uri.getScheme() == null ? Path.of(bundle) : Path.of(uri);
        }
        try {
            Path local = Files.createTempDirectory("recspark-bundle-");
            org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(bundle);
            FileSystem fs = source.getFileSystem(new Configuration());
            fs.copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(local.toUri()), true);
            Path copied = local.resolve(source.getName());
            LOG.info("Copied bundle {} to {}", bundle, copied);
            return copied;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the export bundle " + bundle + " to local disk", e);
        }
    }
}
