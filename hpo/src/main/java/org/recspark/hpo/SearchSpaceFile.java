package org.recspark.hpo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.config.ConfigValidator;
import org.recspark.config.Violation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;

/**
 * A search space kept apart from the pipeline config: a file holding a {@link SearchSpace} in
 * protobuf text format (what would be inside {@code hpo_config { ... }}), read as strictly as a
 * config (unknown fields and a field given twice are errors with {@code file:line:column}) and validated against the base
 * config, with the same {@code hpo_config...} paths in its errors.
 */
public final class SearchSpaceFile {

    private SearchSpaceFile() {}

    public static SearchSpace load(Path file, PipelineConfig base) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of(new Violation(file.toString(), "cannot read the search space file: " + e)));
        }
        SearchSpace.Builder builder = SearchSpace.newBuilder();
        ConfigParser.mergeText(text, builder, file.toString());
        SearchSpace space = builder.build();
        List<Violation> problems = ConfigValidator.validate(base.toBuilder().setHpoConfig(space).build()).stream()
                .filter(v -> v.path().startsWith("hpo_config")).toList();
        if (!problems.isEmpty()) {
            throw new ConfigException(file.toString(), problems);
        }
        return space;
    }
}
