package org.recspark.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * Turns the locations users write (command-line options, config fields) into paths, without ever
 * turning a URI into a local path:
 * <ul>
 *   <li>{@code file:/...} is a local path;</li>
 *   <li>any other scheme ({@code hdfs://nn:8020/x}, {@code s3a://bucket/x}, {@code viewfs://...})
 *       is a path of the installed {@link RemoteStorage}, and an error when there is none;</li>
 *   <li>a location without a scheme is on the default filesystem, as Spark reads the same string
 *       (the local disk unless Hadoop's {@code fs.defaultFS} says otherwise).</li>
 * </ul>
 * Locations inside a config resolve against the config's own directory, with its scheme
 * ({@link #resolve(Path, String)}).
 */
public final class Locations {
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*", Pattern.DOTALL);
    private static volatile RemoteStorage remote;

    private Locations() {
    }

    /** Uses {@code storage} for every location with a scheme other than {@code file:}, and for the default filesystem. */
    public static void install(RemoteStorage storage) {
        remote = storage;
    }

    /** The installed remote storage, discovered through ServiceLoader on first use when none was installed. */
    static RemoteStorage remote() {
        RemoteStorage r = remote;
        if (r == null) {
            synchronized (Locations.class) {
                if (remote == null) {
                    remote = discover();
                }
                r = remote;
            }
        }
        return r;
    }

    private static RemoteStorage discover() {
        for (ClassLoader loader : new ClassLoader[]{Thread.currentThread().getContextClassLoader(), Locations.class.getClassLoader()}) {
            if (loader == null) {
                continue;
            }
            Iterator<RemoteStorage> found = ServiceLoader.load(RemoteStorage.class, loader).iterator();
            if (found.hasNext()) {
                return found.next();
            }
        }
        return null;
    }

    /** Whether the text starts with a URI scheme ({@code hdfs:}, {@code file:}, ...), not a Windows drive letter. */
    public static boolean hasScheme(String location) {
        return SCHEME.matcher(location).matches() && location.indexOf(':') > 1;
    }

    /** A location given on its own (a command-line option): see the class comment. */
    public static Path of(String location) {
        if (location.isEmpty()) {
            throw new IllegalArgumentException("empty location");
        }
        if (hasScheme(location)) {
            return ofUri(toUri(location));
        }
        RemoteStorage r = remote();
        return r == null ? Path.of(location) : r.defaultFileSystemPath(location);
    }

    /**
     * A location written in a config (or a file) found at {@code base}: a URI stands for itself; an
     * absolute path is on {@code base}'s filesystem; a relative one is relative to {@code base}.
     */
    public static Path resolve(Path base, String location) {
        if (hasScheme(location)) {
            return ofUri(toUri(location));
        }
        if (location.startsWith("/")) {
            return base.getFileSystem().getPath(location).normalize();
        }
        return base.resolve(location).normalize();
    }

    /** The directory a file's relative references resolve against, absolute and with its filesystem. */
    public static Path parentOf(Path file) {
        Path absolute = file.toAbsolutePath();
        Path parent = absolute.getParent();
        return parent == null ? absolute : parent;
    }

    /** The text that names the path again through {@link #of}, on any machine: its URI. */
    public static String uri(Path path) {
        return path.toAbsolutePath().toUri().toString();
    }

    /** Whether the path is on this machine's disk. */
    public static boolean isLocal(Path path) {
        return path.getFileSystem() == FileSystems.getDefault();
    }

    /** Whether a directory renamed on this path's store appears whole or not at all. */
    public static boolean atomicRename(Path path) {
        if (isLocal(path)) {
            return true;
        }
        RemoteStorage r = remote();
        return r != null && r.atomicRename(path);
    }

    private static Path ofUri(URI uri) {
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            return Path.of(uri);
        }
        RemoteStorage r = remote();
        if (r == null) {
            throw new IllegalArgumentException("cannot use " + uri + ": no storage for the scheme '" + uri.getScheme()
                    + ":' is on the classpath (Hadoop's filesystems come with recspark-storage-hadoop, which the Spark jobs include)");
        }
        return r.path(uri);
    }

    private static URI toUri(String location) {
        try {
            return new URI(location);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + location + "' is not a valid URI: " + e.getMessage(), e);
        }
    }
}
