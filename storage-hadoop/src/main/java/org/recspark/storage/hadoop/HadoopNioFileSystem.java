package org.recspark.storage.hadoop;

import java.net.URI;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Set;

/**
 * One Hadoop filesystem (a scheme and an authority: {@code hdfs://nn:8020}, {@code s3a://bucket})
 * as a {@link java.nio.file.FileSystem}. The Hadoop filesystem instance is Hadoop's cached one,
 * shared with Spark in the same JVM, so closing this view does not close it.
 */
final class HadoopNioFileSystem extends FileSystem {
    private final HadoopFileSystemProvider provider;
    private final URI root;
    private final org.apache.hadoop.fs.FileSystem hadoop;
    private final String workingDirectory;

    HadoopNioFileSystem(HadoopFileSystemProvider provider, URI root, org.apache.hadoop.fs.FileSystem hadoop) {
        this.provider = provider;
        this.root = root;
        this.hadoop = hadoop;
        this.workingDirectory = hadoop.getWorkingDirectory().toUri().getPath();
    }

    /** {@code scheme://authority/}. */
    URI root() {
        return root;
    }

    org.apache.hadoop.fs.FileSystem hadoop() {
        return hadoop;
    }

    Path workingDirectory() {
        return HadoopPath.parse(this, workingDirectory);
    }

    @Override
    public HadoopFileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        // Hadoop's instance is cached and shared (with Spark among others): it stays open.
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return "/";
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return List.of(HadoopPath.parse(this, "/"));
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return List.of();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return Set.of("basic");
    }

    /** Accepts names ({@code a/b}, {@code /a/b}) and this filesystem's URIs ({@code hdfs://nn:8020/a/b}). */
    @Override
    public Path getPath(String first, String... more) {
        StringBuilder text = new StringBuilder(stripRoot(first));
        for (String part : more) {
            if (!part.isEmpty()) {
                text.append(text.length() == 0 ? "" : "/").append(part);
            }
        }
        return HadoopPath.parse(this, text.toString());
    }

    private String stripRoot(String text) {
        if (!text.startsWith(root.getScheme() + ":")) {
            if (text.contains("://")) {
                throw new IllegalArgumentException(text + " is not on " + root);
            }
            return text;
        }
        URI uri = URI.create(text);
        if (!java.util.Objects.equals(uri.getAuthority(), root.getAuthority())) {
            throw new IllegalArgumentException(text + " is not on " + root);
        }
        return uri.getPath().isEmpty() ? "/" : uri.getPath();
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        throw new UnsupportedOperationException("path matchers are not supported on " + root);
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        throw new UnsupportedOperationException("user principals are not supported on " + root);
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("watching directories is not supported on " + root);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HadoopNioFileSystem o && o.root.equals(root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
