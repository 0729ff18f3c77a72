package org.recspark.storage.hadoop;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A Hadoop output stream as a write-only channel: writes go to the end only, as on every Hadoop
 * filesystem (what {@code Files.createTempFile} and {@code Files.newByteChannel(..., WRITE)} open).
 */
final class WriteChannel implements SeekableByteChannel {
    private final OutputStream out;
    private final byte[] chunk = new byte[1 << 16];
    private long position;
    private boolean open = true;

    WriteChannel(OutputStream out) {
        this.out = out;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int written = 0;
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), chunk.length);
            src.get(chunk, 0, n);
            out.write(chunk, 0, n);
            written += n;
        }
        position += written;
        return written;
    }

    @Override
    public int read(ByteBuffer dst) {
        throw new NonReadableChannelException();
    }

    @Override
    public long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition != position) {
            throw new UnsupportedOperationException("files on Hadoop filesystems are written sequentially");
        }
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new UnsupportedOperationException("files on Hadoop filesystems cannot be truncated");
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        if (open) {
            open = false;
            out.close();
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
