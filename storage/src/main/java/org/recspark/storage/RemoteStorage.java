package org.recspark.storage;

import java.net.URI;
import java.nio.file.Path;

/**
 * Storage other than the local disk (HDFS, S3 and whatever else Hadoop's FileSystem serves), seen
 * as {@code java.nio.file} paths. An implementation registers itself through
 * {@link Locations#install} or {@link java.util.ServiceLoader}; modules that must not depend on
 * Hadoop (the trainer, the predictor) read and write such paths with {@link java.nio.file.Files}
 * without knowing where they point.
 */
public interface RemoteStorage {
    /** The path a URI with a scheme names; {@code file:} URIs never reach here. */
    Path path(URI uri);

    /**
     * The path a location without a scheme names, as Spark and Hadoop read it: on the default
     * filesystem ({@code fs.defaultFS}), relative to its working directory. A local path when the
     * default filesystem is the local one.
     */
    Path defaultFileSystemPath(String location);

    /** Whether renaming a directory on this path's store is atomic (HDFS: yes; object stores such as S3: no). */
    boolean atomicRename(Path path);
}
