package org.recspark.storage.hadoop;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.ParentNotDirectoryException;
import org.apache.hadoop.fs.PathIsNotEmptyDirectoryException;
import org.apache.hadoop.ipc.RemoteException;
import org.apache.hadoop.security.AccessControlException;
import org.recspark.storage.LocationUnavailableException;

/**
 * {@link java.nio.file.Files} on Hadoop filesystems: every operation goes to Hadoop's
 * {@link org.apache.hadoop.fs.FileSystem} of the path's scheme and authority, with Java's
 * semantics where the two differ (creating a directory that exists, deleting a non-empty one and
 * moving onto an existing name fail; {@code ATOMIC_MOVE} is refused on stores whose rename is not
 * atomic). Hadoop's exceptions become their {@code java.nio.file} equivalents naming the path.
 *
 * <p>Not installed under the Hadoop schemes: {@link HadoopStorage} makes the paths, so no class
 * loader setup (spark-submit's application loader) can shadow it.
 */
final class HadoopFileSystemProvider extends FileSystemProvider {
    private final HadoopStorage storage;

    HadoopFileSystemProvider(HadoopStorage storage) {
        this.storage = storage;
    }

    @Override
    public String getScheme() {
        return "hadoop";
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        return getFileSystem(uri);
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        return path(storage.path(uri)).getFileSystem();
    }

    @Override
    public Path getPath(URI uri) {
        return storage.path(uri);
    }

    @Override
    public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
        HadoopPath p = path(path);
        for (OpenOption o : options) {
            if (o == StandardOpenOption.WRITE || o == StandardOpenOption.APPEND) {
                throw new UnsupportedOperationException("'" + o + "' is not allowed for an input stream");
            }
        }
        try {
            return hadoop(p).open(p.toHadoop());
        } catch (IOException e) {
            throw translate(e, p);
        }
    }

    @Override
    public OutputStream newOutputStream(Path path, OpenOption... options) throws IOException {
        HadoopPath p = path(path);
        Set<OpenOption> set = new HashSet<>(Arrays.asList(options));
        if (set.isEmpty()) {
            set.addAll(List.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
        }
        org.apache.hadoop.fs.FileSystem fs = hadoop(p);
        org.apache.hadoop.fs.Path target = p.toHadoop();
        try {
            boolean exists = fs.exists(target);
            if (set.contains(StandardOpenOption.CREATE_NEW)) {
                if (exists) {
                    throw new FileAlreadyExistsException(p.toString());
                }
                // The check above is only for a clear message: the create itself refuses an existing file, which
                // HDFS decides atomically on the NameNode, so of two concurrent creators one fails (DirectoryLock).
                try {
                    return fs.create(target, false);
                } catch (IOException e) {
                    if (beingCreated(e)) {
                        // A file still being written by its creator: it exists, as far as CREATE_NEW goes.
                        throw (IOException) new FileAlreadyExistsException(p.toString(), null, e.getMessage()).initCause(e);
                    }
                    throw e;
                }
            }
            if (!exists && !set.contains(StandardOpenOption.CREATE)) {
                throw new NoSuchFileException(p.toString());
            }
            if (exists && fs.getFileStatus(target).isDirectory()) {
                throw new FileAlreadyExistsException(p.toString(), null, "is a directory");
            }
            if (set.contains(StandardOpenOption.APPEND) && exists) {
                return fs.append(target);
            }
            requireParentDirectory(p);
            return fs.create(target, true);
        } catch (IOException e) {
            throw translate(e, p);
        }
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        HadoopPath p = path(path);
        if (options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND)) {
            if (options.contains(StandardOpenOption.READ)) {
                throw new UnsupportedOperationException("files on " + p.getFileSystem() + " are opened for reading or writing, not both");
            }
            return new WriteChannel(newOutputStream(p, options.toArray(OpenOption[]::new)));
        }
        try {
            FSDataInputStream in = hadoop(p).open(p.toHadoop());
            return new ReadChannel(in, hadoop(p).getFileStatus(p.toHadoop()).getLen());
        } catch (IOException e) {
            throw translate(e, p);
        }
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        HadoopPath p = path(dir);
        FileStatus[] children;
        try {
            if (!hadoop(p).getFileStatus(p.toHadoop()).isDirectory()) {
                throw new NotDirectoryException(p.toString());
            }
            children = hadoop(p).listStatus(p.toHadoop());
        } catch (IOException e) {
            throw translate(e, p);
        }
        List<Path> entries = new ArrayList<>();
        for (FileStatus child : children) {
            Path entry = p.resolve(child.getPath().getName());
            if (filter.accept(entry)) {
                entries.add(entry);
            }
        }
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                return entries.iterator();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        HadoopPath p = path(dir);
        try {
            if (hadoop(p).exists(p.toHadoop())) {
                throw new FileAlreadyExistsException(p.toString());
            }
            requireParentDirectory(p);
            if (!hadoop(p).mkdirs(p.toHadoop())) {
                throw new IOException("cannot create the directory " + p);
            }
        } catch (IOException e) {
            throw translate(e, p);
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        HadoopPath p = path(path);
        org.apache.hadoop.fs.FileSystem fs = hadoop(p);
        try {
            FileStatus status = fs.getFileStatus(p.toHadoop());
            if (status.isDirectory() && fs.listStatus(p.toHadoop()).length > 0) {
                throw new DirectoryNotEmptyException(p.toString());
            }
            if (!fs.delete(p.toHadoop(), false)) {
                throw new IOException("cannot delete " + p);
            }
        } catch (IOException e) {
            throw translate(e, p);
        }
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        HadoopPath from = path(source);
        HadoopPath to = path(target);
        try {
            FileStatus status = hadoop(from).getFileStatus(from.toHadoop());
            prepareTarget(to, Set.of(options).contains(StandardCopyOption.REPLACE_EXISTING));
            if (status.isDirectory()) {
                createDirectory(to);
            } else if (!FileUtil.copy(hadoop(from), from.toHadoop(), hadoop(to), to.toHadoop(), false, storage.configuration())) {
                throw new IOException("cannot copy " + from + " to " + to);
            }
        } catch (IOException e) {
            throw translate(e, from);
        }
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        HadoopPath from = path(source);
        HadoopPath to = path(target);
        Set<CopyOption> set = Set.of(options);
        if (!from.getFileSystem().equals(to.getFileSystem())) {
            throw new AtomicMoveNotSupportedException(from.toString(), to.toString(), "the paths are on different filesystems");
        }
        if (set.contains(StandardCopyOption.ATOMIC_MOVE) && !storage.atomicRename(from)) {
            throw new AtomicMoveNotSupportedException(from.toString(), to.toString(),
                    from.getFileSystem().root().getScheme() + ": has no atomic rename");
        }
        org.apache.hadoop.fs.FileSystem fs = hadoop(from);
        try {
            fs.getFileStatus(from.toHadoop());
            requireParentDirectory(to);
            if (fs.exists(to.toHadoop())) {
                if (!set.contains(StandardCopyOption.REPLACE_EXISTING)) {
                    throw new FileAlreadyExistsException(to.toString());
                }
                FileStatus existing = fs.getFileStatus(to.toHadoop());
                if (existing.isDirectory() && fs.listStatus(to.toHadoop()).length > 0) {
                    throw new DirectoryNotEmptyException(to.toString());
                }
                // FileContext's rename with OVERWRITE replaces the target in one step where the store can (HDFS).
                FileContext.getFileContext(from.getFileSystem().root(), storage.configuration())
                        .rename(from.toHadoop(), to.toHadoop(), Options.Rename.OVERWRITE);
                return;
            }
            if (!fs.rename(from.toHadoop(), to.toHadoop())) {
                throw new IOException("cannot rename " + from + " to " + to);
            }
        } catch (IOException e) {
            throw translate(e, from);
        }
    }

    @Override
    public boolean isSameFile(Path path, Path path2) {
        return path.toAbsolutePath().normalize().equals(path2.toAbsolutePath().normalize());
    }

    @Override
    public boolean isHidden(Path path) {
        Path name = path.getFileName();
        return name != null && (name.toString().startsWith(".") || name.toString().startsWith("_"));
    }

    @Override
    public FileStore getFileStore(Path path) {
        throw new UnsupportedOperationException("file stores are not supported on " + path(path).getFileSystem());
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        HadoopPath p = path(path);
        try {
            hadoop(p).getFileStatus(p.toHadoop());
        } catch (IOException e) {
            throw translateQuery(e, p);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        if (type != BasicFileAttributeView.class) {
            return null;
        }
        HadoopPath p = path(path);
        return (V) new BasicFileAttributeView() {
            @Override
            public String name() {
                return "basic";
            }

            @Override
            public BasicFileAttributes readAttributes() throws IOException {
                return HadoopFileSystemProvider.this.readAttributes(p, BasicFileAttributes.class);
            }

            @Override
            public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime) throws IOException {
                try {
                    hadoop(p).setTimes(p.toHadoop(), lastModifiedTime == null ? -1 : lastModifiedTime.toMillis(),
                            lastAccessTime == null ? -1 : lastAccessTime.toMillis());
                } catch (IOException e) {
                    throw translate(e, p);
                }
            }
        };
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options) throws IOException {
        if (type != BasicFileAttributes.class) {
            throw new UnsupportedOperationException(type.getSimpleName() + " are not supported on " + path(path).getFileSystem());
        }
        HadoopPath p = path(path);
        try {
            return (A) new HadoopFileAttributes(hadoop(p).getFileStatus(p.toHadoop()));
        } catch (IOException e) {
            throw translateQuery(e, p);
        }
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        String names = attributes.startsWith("basic:") ? attributes.substring("basic:".length()) : attributes;
        if (names.contains(":")) {
            throw new UnsupportedOperationException("only basic attributes are supported, not " + attributes);
        }
        BasicFileAttributes a = readAttributes(path, BasicFileAttributes.class, options);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("lastModifiedTime", a.lastModifiedTime());
        all.put("lastAccessTime", a.lastAccessTime());
        all.put("creationTime", a.creationTime());
        all.put("size", a.size());
        all.put("isRegularFile", a.isRegularFile());
        all.put("isDirectory", a.isDirectory());
        all.put("isSymbolicLink", a.isSymbolicLink());
        all.put("isOther", a.isOther());
        all.put("fileKey", a.fileKey());
        if (names.equals("*")) {
            return all;
        }
        Map<String, Object> selected = new LinkedHashMap<>();
        for (String name : names.split(",")) {
            if (!all.containsKey(name)) {
                throw new IllegalArgumentException("no basic attribute '" + name + "'");
            }
            selected.put(name, all.get(name));
        }
        return selected;
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) {
        throw new UnsupportedOperationException("setting attributes is not supported on " + path(path).getFileSystem());
    }

    /**
     * Whether HDFS refused a create because the file is under construction by a client (this one or
     * another): {@code AlreadyBeingCreatedException}, named rather than imported as it is
     * HDFS's and may arrive wrapped in a {@link RemoteException}.
     */
    private static boolean beingCreated(IOException e) {
        String name = e instanceof RemoteException remote ? remote.getClassName() : e.getClass().getName();
        return name.endsWith(".AlreadyBeingCreatedException");
    }

    private void requireParentDirectory(HadoopPath p) throws IOException {
        Path parent = p.toAbsolutePath().getParent();
        if (parent == null) {
            return;
        }
        HadoopPath dir = path(parent);
        try {
            if (!hadoop(dir).getFileStatus(dir.toHadoop()).isDirectory()) {
                throw new NotDirectoryException(dir.toString());
            }
        } catch (FileNotFoundException e) {
            throw new NoSuchFileException(p.toString(), null, "its directory " + dir + " does not exist");
        }
    }

    private void prepareTarget(HadoopPath to, boolean replace) throws IOException {
        if (!hadoop(to).exists(to.toHadoop())) {
            return;
        }
        if (!replace) {
            throw new FileAlreadyExistsException(to.toString());
        }
        delete(to);
    }

    private static org.apache.hadoop.fs.FileSystem hadoop(HadoopPath p) {
        return p.getFileSystem().hadoop();
    }

    private static HadoopPath path(Path path) {
        if (!(path instanceof HadoopPath p)) {
            throw new ProviderMismatchException(path + " is not on a Hadoop filesystem");
        }
        return p;
    }

    /**
     * {@link #translate} for the calls {@link java.nio.file.Files#exists}, {@code notExists},
     * {@code isDirectory} and {@code isRegularFile} make: these read any {@link IOException} as "not
     * there", so only the answers "absent" and "not allowed" stay checked; a store that did not
     * answer at all is an unchecked error naming the path.
     */
    private static IOException translateQuery(IOException e, HadoopPath p) {
        IOException translated = translate(e, p);
        if (translated instanceof java.nio.file.FileSystemException) {
            return translated;
        }
        throw new LocationUnavailableException(p.toString(), e);
    }

    /** Hadoop's exceptions as java.nio.file's, which callers of {@link java.nio.file.Files} handle. */
    private static IOException translate(IOException e, HadoopPath p) {
        if (e instanceof java.nio.file.FileSystemException) {
            return e;
        }
        IOException translated;
        if (e instanceof FileNotFoundException) {
            translated = new NoSuchFileException(p.toString(), null, e.getMessage());
        } else if (e instanceof org.apache.hadoop.fs.FileAlreadyExistsException) {
            translated = new FileAlreadyExistsException(p.toString(), null, e.getMessage());
        } else if (e instanceof ParentNotDirectoryException) {
            translated = new NotDirectoryException(p.toString());
        } else if (e instanceof PathIsNotEmptyDirectoryException) {
            translated = new DirectoryNotEmptyException(p.toString());
        } else if (e instanceof AccessControlException) {
            translated = new AccessDeniedException(p.toString(), null, e.getMessage());
        } else {
            return new IOException(p + ": " + e.getMessage(), e);
        }
        translated.initCause(e);
        return translated;
    }
}
