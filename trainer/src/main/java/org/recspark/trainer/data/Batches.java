package org.recspark.trainer.data;

import java.util.Iterator;
import org.recspark.model.data.Examples;

/**
 * Batches of rows read one after another. Closing releases what reading holds (a decoding thread,
 * open files); a reader stopped early (early stopping, max_steps, a failure) must be closed.
 */
public interface Batches extends Iterator<Examples>, AutoCloseable {
    @Override
    void close();
}
