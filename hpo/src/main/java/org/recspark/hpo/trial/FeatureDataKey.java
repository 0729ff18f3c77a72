package org.recspark.hpo.trial;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;

/**
 * Identifies the rows a feature config produces: the feature config without the fields that only
 * shape the model's embeddings ({@code embedding_dim}, {@code pooling}, {@code initializer}), which
 * the feature jar does not read. Trials whose feature configs differ only there train on the same
 * rows; any other difference (a hash bucket count, a vocabulary, a feature's inputs) needs its own.
 */
public record FeatureDataKey(String digest) {
    public static FeatureDataKey of(FeatureConfig config) {
        FeatureConfig.Builder b = config.toBuilder();
        for (Feature.Builder f : b.getFeaturesBuilderList()) {
            f.clearEmbeddingDim().clearPooling().clearInitializer();
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(com.google.protobuf.TextFormat.printer().printToString(b.build()).getBytes(StandardCharsets.UTF_8));
            return new FeatureDataKey(HexFormat.of().formatHex(hash, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
