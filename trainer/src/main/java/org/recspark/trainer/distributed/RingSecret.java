package org.recspark.trainer.distributed;

import java.io.Serial;
import java.io.Serializable;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256-bit key the members of one ring share and prove in the handshake ({@link RingHandshake}); it never
 * travels on the ring's own connections. In Spark the driver creates one per training stage and ships it in the
 * barrier tasks' closure, so Spark's RPC carries it to the executors (protected in transit only when the cluster
 * sets {@code spark.authenticate} and {@code spark.network.crypto.enabled}).
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the key.
 */
public final class RingSecret implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    static final int BYTES = 32;
    private static final String ALGORITHM = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    private RingSecret(byte[] key) {
        this.key = key;
    }

    /** A fresh key from {@link SecureRandom}. */
    public static RingSecret generate() {
        byte[] key = new byte[BYTES];
        RANDOM.nextBytes(key);
        return new RingSecret(key);
    }

    /** HMAC-SHA256 of {@code message} under this key. */
    byte[] mac(byte[] message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is missing from this JVM, which every Java SE JVM must provide", e);
        }
    }

    @Override
    public String toString() {
        return "RingSecret[redacted]";
    }
}
