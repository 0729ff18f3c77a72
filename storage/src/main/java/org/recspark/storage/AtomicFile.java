package org.recspark.storage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * A file replaced whole, so a reader sees the old content or the new, never a torn write: on
 * stores with an atomic rename, written to a hidden sibling and renamed over the old file; on
 * object stores, written directly (an object appears only when its upload completes). Staging
 * a crash left in the directory is removed by a later write there once abandoned
 * ({@link UnfinishedWrites}).
 */
public final class AtomicFile {

    /** Writes a file's content to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {
    }

    public static void write(Path file, Content content) throws IOException {
        Path parent = Locations.parentOf(file);
        Files.createDirectories(parent);
        if (!Locations.atomicRename(file)) {
            writeTo(file, content);
            return;
        }
        UnfinishedWrites.removeAbandoned(parent);
        Path tmp = parent.resolve("." + file.getFileName() + UnfinishedWrites.STAGING_INFIX + UUID.randomUUID());
        try {
            writeTo(tmp, content);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void write(Path file, byte[] content) throws IOException {
        write(file, out -> out.write(content));
    }

    public static void writeString(Path file, String content) throws IOException {
        write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeTo(Path file, Content content) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            content.writeTo(out);
        }
    }
}
