package org.recspark.trainer.retrieval;

/** A saved item index that cannot be used: incomplete, corrupted or of another corpus ({@link SavedItemIndex}). */
public final class SavedIndexException extends RuntimeException {
    public SavedIndexException(String message) {
        super(message);
    }

    public SavedIndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
