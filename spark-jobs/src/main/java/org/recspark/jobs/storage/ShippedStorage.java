package org.recspark.jobs.storage;

import java.io.Serializable;
import java.util.Arrays;
import org.recspark.storage.hadoop.HadoopStorage;

/**
 * The driver's Hadoop configuration carried by a task to executors, so paths resolve there exactly
 * as on the driver (the same default filesystem, credentials and {@code spark.hadoop.*} settings),
 * whatever the executor's own site files say.
 */
public final class ShippedStorage implements Serializable {
    private static final long serialVersionUID = 1L;
    private static byte[] installed;

    private final byte[] configuration;

    private ShippedStorage(byte[] configuration) {
        this.configuration = configuration;
    }

    /** The configuration the driver uses now. */
    public static ShippedStorage fromDriver() {
        return new ShippedStorage(HadoopStorage.serializedConfiguration());
    }

    /** Makes this JVM resolve locations with the driver's configuration (once per configuration). */
    public void install() {
        synchronized (ShippedStorage.class) {
            if (!Arrays.equals(installed, configuration)) {
                HadoopStorage.installSerialized(configuration);
                installed = configuration;
            }
        }
    }
}
