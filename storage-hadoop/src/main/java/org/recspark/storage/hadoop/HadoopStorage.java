package org.recspark.storage.hadoop;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.recspark.storage.Locations;
import org.recspark.storage.RemoteStorage;

/**
 * Every Hadoop filesystem ({@code hdfs://}, {@code s3a://}, {@code viewfs://}, ... whatever the
 * classpath and configuration provide) as {@code java.nio.file} paths for {@link Locations}.
 *
 * <p>The Hadoop configuration is the one {@link #install(Configuration)} was given (the Spark
 * jobs pass the driver's, and ship it to executors), else Hadoop's defaults and site files
 * ({@code new Configuration()}), which is what a plain JVM with {@code HADOOP_CONF_DIR} on its
 * classpath sees.
 */
public final class HadoopStorage implements RemoteStorage {
    /** Object stores: a directory rename copies object by object, so it is not atomic. */
    private static final Set<String> NON_ATOMIC_RENAME = Set.of("s3", "s3a", "s3n", "gs", "oss", "cosn", "obs", "wasb", "wasbs",
            "abfs", "abfss");
    /** More schemes without an atomic rename, comma-separated, for stores this list does not know. */
    public static final String NON_ATOMIC_RENAME_SCHEMES = "recspark.storage.non-atomic-rename-schemes";
    private static volatile Configuration configuration;

    private final HadoopFileSystemProvider provider = new HadoopFileSystemProvider(this);
    private final Map<URI, HadoopNioFileSystem> fileSystems = new ConcurrentHashMap<>();

    /** Used by ServiceLoader; {@link #install} is the way to choose the configuration. */
    public HadoopStorage() {
    }

    /** Makes {@link Locations} use Hadoop's filesystems with this configuration (the driver's, or the one it shipped). */
    public static void install(Configuration conf) {
        configuration = new Configuration(conf);
        Locations.install(new HadoopStorage());
    }

    /** The configuration as bytes, for {@link #installSerialized} in another JVM (an executor). */
    public static byte[] serializedConfiguration() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            currentConfiguration().write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Installs a configuration serialized by {@link #serializedConfiguration}. */
    public static void installSerialized(byte[] serialized) {
        Configuration conf = new Configuration(false);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            conf.readFields(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the shipped Hadoop configuration is corrupt", e);
        }
        install(conf);
    }

    Configuration configuration() {
        return currentConfiguration();
    }

    private static Configuration currentConfiguration() {
        Configuration conf = configuration;
        if (conf == null) {
            synchronized (HadoopStorage.class) {
                if (configuration == null) {
                    configuration = new Configuration();
                }
                conf = configuration;
            }
        }
        return conf;
    }

    @Override
    public Path path(URI uri) {
        org.apache.hadoop.fs.Path hadoopPath = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs;
        try {
            fs = hadoopPath.getFileSystem(configuration());
        } catch (UnsupportedFileSystemException e) {
            throw new IllegalArgumentException("cannot use " + uri + ": no Hadoop filesystem for the scheme '" + uri.getScheme() + ":' "
                    + "on the classpath" + hint(uri.getScheme()), e);
        } catch (IOException | IllegalArgumentException e) {
            // HDFS reports a NameNode host that does not resolve as an IllegalArgumentException naming the host only.
            throw new IllegalArgumentException("cannot use " + uri + ": " + e.getMessage(), e);
        }
        URI qualified = fs.makeQualified(hadoopPath).toUri();
        if ("file".equals(qualified.getScheme())) {
            return Path.of(qualified);
        }
        URI root;
        try {
            root = new URI(qualified.getScheme(), qualified.getAuthority(), "/", null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot use " + uri + ": " + e.getMessage(), e);
        }
        HadoopNioFileSystem nio = fileSystems.computeIfAbsent(root, r -> new HadoopNioFileSystem(provider, r, fs));
        return HadoopPath.parse(nio, qualified.getPath());
    }

    @Override
    public Path defaultFileSystemPath(String location) {
        URI defaultUri = FileSystem.getDefaultUri(configuration());
        if (defaultUri.getScheme() == null || "file".equals(defaultUri.getScheme())) {
            return Path.of(location).toAbsolutePath();
        }
        return path(new org.apache.hadoop.fs.Path(location).toUri().isAbsolute()
                ? new org.apache.hadoop.fs.Path(location).toUri() : qualifiedOnDefault(location));
    }

    private URI qualifiedOnDefault(String location) {
        try {
            return FileSystem.get(configuration()).makeQualified(new org.apache.hadoop.fs.Path(location)).toUri();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot use " + location + " on the default filesystem "
                    + FileSystem.getDefaultUri(configuration()) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean atomicRename(Path path) {
        if (!(path instanceof HadoopPath p)) {
            return Locations.isLocal(path);
        }
        String scheme = p.getFileSystem().root().getScheme().toLowerCase(Locale.ROOT);
        return !NON_ATOMIC_RENAME.contains(scheme)
                && !configuration().getTrimmedStringCollection(NON_ATOMIC_RENAME_SCHEMES).contains(scheme);
    }

    private static String hint(String scheme) {
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "s3a", "s3" -> " (S3 needs hadoop-aws and its AWS SDK on the classpath, as EMR provides; "
                    + "with spark-submit: --packages org.apache.hadoop:hadoop-aws:<your Hadoop version>)";
            case "gs" -> " (Google Cloud Storage needs the gcs-connector jar)";
            case "abfs", "abfss", "wasb", "wasbs" -> " (Azure storage needs hadoop-azure)";
            default -> "";
        };
    }
}
