package org.recspark.trainer.train;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TrainConfig;

/**
 * SHA-256 hashes of the parts of a pipeline config a checkpoint's state depends on, one per
 * section, so a run is resumed only with a config its checkpoints fit and a refusal names what
 * changed. Covered: {@code input_config.split} with its time_field, and user_id_field for a
 * per-user split (which rows are training rows), and {@code input_config.labels} with
 * positives_only (what a row's label means), not the raw inputs' paths (train reads built samples),
 * {@code feature_config} and {@code model_config} (parameters, tables and their shapes), the kind
 * and settings of both optimizers without their learning rate (the optimizer state's layout), and
 * {@code train_config.batch_size}, {@code seed}, {@code shuffle} and {@code shuffle_buffer_rows}
 * (what a saved position in an epoch means). Everything else may change between a run and its
 * resumption: num_epochs, max_steps, learning rates and l2, gradient clipping, logging and
 * checkpoint settings, input_cache (it changes where rows come from, not which), warm_start_from (a resumed run does not warm-start again), eval_config,
 * export_config, runtime_config, name, hpo_config, daily_config.
 */
public final class ConfigFingerprint {
    private final Map<String, String> sections;

    private ConfigFingerprint(Map<String, String> sections) {
        this.sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
    }

    public static ConfigFingerprint of(PipelineConfig config) {
        TrainConfig train = config.getTrainConfig();
        Map<String, String> sections = new LinkedHashMap<>();
        InputConfig input = config.getInputConfig();
        sections.put("input_config.split", hash(splitPart(input)));
        sections.put("input_config.labels", hash(labelPart(input)));
        sections.put("feature_config", hash(config.getFeatureConfig()));
        sections.put("model_config", hash(config.getModelConfig()));
        sections.put("train_config.dense_optimizer", hash(train.getDenseOptimizer().toBuilder().clearLearningRate().clearL2().build()));
        sections.put("train_config.sparse_optimizer", hash(train.getSparseOptimizer().toBuilder().clearLearningRate().clearL2().build()));
        sections.put("train_config.batch_size", hash(Integer.toString(train.getBatchSize())));
        sections.put("train_config.seed", hash(Long.toString(train.getSeed())));
        sections.put("train_config.shuffle", hash(Boolean.toString(train.getShuffle())));
        sections.put("train_config.shuffle_buffer_rows", hash(Integer.toString(train.getShuffleBufferRows())));
        return new ConfigFingerprint(sections);
    }

    /**
     * The user field joins the split only where the split is per user, and positives_only the
     * labels only when set, so fingerprints of configs using neither stay as earlier builds wrote them.
     */
    private static InputConfig splitPart(InputConfig input) {
        InputConfig.Builder part = InputConfig.newBuilder().setSplit(input.getSplit()).setTimeField(input.getTimeField());
        if (input.getSplit().hasLeaveLastOut()) {
            part.setUserIdField(input.getUserIdField());
        }
        return part.build();
    }

    private static InputConfig labelPart(InputConfig input) {
        InputConfig.Builder part = InputConfig.newBuilder().addAllLabels(input.getLabelsList());
        if (input.getPositivesOnly()) {
            part.setPositivesOnly(true);
        }
        return part.build();
    }

    /**
     * A fingerprint as a run record stored it: section name to hex SHA-256. Compare it with
     * {@code ConfigFingerprint.of(config).changedSince(stored)}, so sections this build added count
     * as changed.
     */
    public static ConfigFingerprint fromSections(Map<String, String> sections) {
        return new ConfigFingerprint(sections);
    }

    public Map<String, String> sections() {
        return sections;
    }

    /**
     * The sections of this fingerprint whose hash differs from {@code other}'s (or that
     * {@code other} lacks), in config order.
     */
    public List<String> changedSince(ConfigFingerprint other) {
        List<String> changed = new ArrayList<>();
        for (String section : sections.keySet()) {
            String mine = sections.get(section);
            if (mine == null || !mine.equals(other.sections.get(section))) {
                changed.add(section);
            }
        }
        return changed;
    }

    private static String hash(Message message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.useDeterministicSerialization();
            message.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hash(bytes.toByteArray());
    }

    private static String hash(String text) {
        return hash(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
