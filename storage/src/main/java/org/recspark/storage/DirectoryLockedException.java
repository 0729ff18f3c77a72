package org.recspark.storage;

import java.nio.file.Path;

/** Another process holds the lock on a directory ({@link DirectoryLock}); the message names it. */
public final class DirectoryLockedException extends RuntimeException {
    private final Path directory;

    public DirectoryLockedException(Path directory, String holder) {
        super(directory + " is locked by " + holder + ": another run is using it; wait for it to finish (the lock is taken over "
                + "automatically once its holder has exited, or after -D" + DirectoryLock.STALE_SECONDS_PROPERTY
                + " seconds without a heartbeat)");
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }
}
