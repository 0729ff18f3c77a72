package org.recspark.storage.hadoop;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;

/**
 * A path on a Hadoop filesystem: '/'-separated names, absolute (from the filesystem's root) or
 * relative. An absolute path prints as its URI ({@code hdfs://nn:8020/a/b}), so its text names it
 * again anywhere; a relative one prints as its names.
 */
final class HadoopPath implements Path {
    private final HadoopNioFileSystem fs;
    private final boolean absolute;
    private final List<String> names;

    HadoopPath(HadoopNioFileSystem fs, boolean absolute, List<String> names) {
        this.fs = fs;
        this.absolute = absolute;
        this.names = List.copyOf(names);
    }

    /** Parses '/'-separated text; empty names (repeated or trailing slashes) are dropped. */
    static HadoopPath parse(HadoopNioFileSystem fs, String text) {
        List<String> names = new ArrayList<>();
        for (String name : text.split("/")) {
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return new HadoopPath(fs, text.startsWith("/"), names);
    }

    /** This path as Hadoop names it, qualified with the filesystem's scheme and authority. */
    org.apache.hadoop.fs.Path toHadoop() {
        return new org.apache.hadoop.fs.Path(toUri());
    }

    @Override
    public HadoopNioFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return absolute;
    }

    @Override
    public Path getRoot() {
        return absolute ? new HadoopPath(fs, true, List.of()) : null;
    }

    @Override
    public Path getFileName() {
        if (names.isEmpty()) {
            return absolute ? null : this;
        }
        return new HadoopPath(fs, false, List.of(names.get(names.size() - 1)));
    }

    @Override
    public Path getParent() {
        if (names.isEmpty() || names.size() == 1 && !absolute) {
            return null;
        }
        return new HadoopPath(fs, absolute, names.subList(0, names.size() - 1));
    }

    @Override
    public int getNameCount() {
        return names.size();
    }

    @Override
    public Path getName(int index) {
        if (index < 0 || index >= names.size()) {
            throw new IllegalArgumentException("no name " + index + " in " + this);
        }
        return new HadoopPath(fs, false, List.of(names.get(index)));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        if (beginIndex < 0 || endIndex > names.size() || beginIndex >= endIndex) {
            throw new IllegalArgumentException("no subpath [" + beginIndex + ", " + endIndex + ") in " + this);
        }
        return new HadoopPath(fs, false, names.subList(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        if (!(other instanceof HadoopPath o) || !o.fs.equals(fs) || o.absolute != absolute || o.names.size() > names.size()) {
            return false;
        }
        return names.subList(0, o.names.size()).equals(o.names);
    }

    @Override
    public boolean endsWith(Path other) {
        if (!(other instanceof HadoopPath o) || !o.fs.equals(fs) || o.names.size() > names.size()) {
            return false;
        }
        if (o.absolute) {
            return equals(o);
        }
        return names.subList(names.size() - o.names.size(), names.size()).equals(o.names);
    }

    @Override
    public Path normalize() {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..") && !out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                out.remove(out.size() - 1);
            } else if (!(name.equals("..") && absolute)) {
                out.add(name);
            }
        }
        return new HadoopPath(fs, absolute, out);
    }

    @Override
    public Path resolve(Path other) {
        HadoopPath o = checked(other);
        if (o.absolute) {
            return o;
        }
        List<String> joined = new ArrayList<>(names);
        joined.addAll(o.names);
        return new HadoopPath(fs, absolute, joined);
    }

    @Override
    public Path relativize(Path other) {
        HadoopPath o = checked(other);
        if (o.absolute != absolute) {
            throw new IllegalArgumentException("cannot relativize " + other + " against " + this + ": one is absolute, the other not");
        }
        int common = 0;
        while (common < names.size() && common < o.names.size() && names.get(common).equals(o.names.get(common))) {
            common++;
        }
        List<String> out = new ArrayList<>();
        for (int i = common; i < names.size(); i++) {
            out.add("..");
        }
        out.addAll(o.names.subList(common, o.names.size()));
        return new HadoopPath(fs, false, out);
    }

    @Override
    public URI toUri() {
        if (!absolute) {
            return toAbsolutePath().toUri();
        }
        try {
            URI root = fs.root();
            return new URI(root.getScheme(), root.getAuthority(), "/" + String.join("/", names), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + this + "' cannot be written as a URI: " + e.getMessage(), e);
        }
    }

    @Override
    public Path toAbsolutePath() {
        return absolute ? this : fs.workingDirectory().resolve(this);
    }

    @Override
    public Path toRealPath(LinkOption... options) throws java.io.IOException {
        Path real = toAbsolutePath().normalize();
        fs.provider().checkAccess(real);
        return real;
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("watching directories is not supported on " + fs.root());
    }

    @Override
    public int compareTo(Path other) {
        return toString().compareTo(checked(other).toString());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HadoopPath o && o.fs.equals(fs) && o.absolute == absolute && o.names.equals(names);
    }

    @Override
    public int hashCode() {
        return fs.hashCode() * 31 + (absolute ? 1 : 0) + names.hashCode() * 7;
    }

    @Override
    public String toString() {
        return absolute ? toUri().toString() : String.join("/", names);
    }

    private HadoopPath checked(Path other) {
        if (!(other instanceof HadoopPath o)) {
            throw new ProviderMismatchException(other + " is not a path of " + fs.root());
        }
        if (!o.fs.equals(fs)) {
            throw new ProviderMismatchException(other + " is on another filesystem than " + this);
        }
        return o;
    }
}
