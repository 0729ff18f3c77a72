package org.recspark.hpo.report;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.recspark.config.proto.Constraints;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.storage.AtomicFile;
import org.recspark.storage.Locations;

/**
 * Writes a trial's config as a ready-to-run text-format file. Relative paths in a config resolve
 * against its file's directory, and this file lives in the search directory, so every location
 * field (marked {@code location} in the schema) that is relative is made absolute against the
 * original config's directory; URIs with a scheme (hdfs://, s3a://) stay as they are. The original
 * directory and allowed paths become the file's {@code allowed_paths}, so it may reach what the
 * original config reached and no more. {@code hpo_config} is left out: the file trains the best
 * config, it does not search again.
 */
public final class BestConfigWriter {
    private BestConfigWriter() {}

    /**
     * @param header comment lines (without "#") put at the top of the file
     */
    public static Path write(PipelineConfig config, Path configDir, Path file, java.util.List<String> header) throws IOException {
        return writeRelocated(config.toBuilder().clearHpoConfig().build(), configDir, file, header);
    }

    /** As {@link #write} but the config is written whole, {@code hpo_config} included (auto-cross writes its configs so). */
    public static Path writeRelocated(PipelineConfig config, Path configDir, Path file, java.util.List<String> header) throws IOException {
        PipelineConfig.Builder absolute = ((PipelineConfig) absolutize(config, configDir))
                .toBuilder().clearAllowedPaths().addAllowedPaths(resolve(".", configDir));
        config.getAllowedPathsList().forEach(prefix -> absolute.addAllowedPaths(resolve(prefix, configDir)));
        StringBuilder text = new StringBuilder();
        header.forEach(line -> text.append("# ").append(line).append('\n'));
        text.append('\n').append(TextFormat.printer().printToString(absolute.build()));
        AtomicFile.writeString(file, text.toString());
        return file;
    }

    static Message absolutize(Message message, Path base) {
        Message.Builder b = message.toBuilder();
        for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !f.isMapField()) {
                if (f.isRepeated()) {
                    for (int i = 0; i < message.getRepeatedFieldCount(f); i++) {
                        b.setRepeatedField(f, i, absolutize((Message) message.getRepeatedField(f, i), base));
                    }
                } else {
                    b.setField(f, absolutize((Message) e.getValue(), base));
                }
            } else if (f.getOptions().getExtension(Constraints.check).getLocation() && !f.isRepeated()) {
                b.setField(f, resolve((String) e.getValue(), base));
            }
        }
        return b.build();
    }

    /** Absolute: a local path as it is, a path on another store as its URI. */
    private static String resolve(String path, Path base) {
        if (path.isEmpty()) {
            return path;
        }
        Path resolved = Locations.resolve(base, path);
        return Locations.isLocal(resolved) ? resolved.toAbsolutePath().toString() : Locations.uri(resolved);
    }
}
