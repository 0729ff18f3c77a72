package org.recspark.hpo;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigValidator;
import org.recspark.config.Violation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;

/**
 * A search space kept apart from the pipeline config: a file holding a {@link SearchSpace} in
 * protobuf text format (what would be inside {@code hpo_config { ... }}), read as strictly as a
 * config (unknown fields are errors with {@code file:line:column}) and validated against the base
 * config, with the same {@code hpo_config...} paths in its errors.
 */
public final class SearchSpaceFile {
    private static final Pattern LOCATION = Pattern.compile("^(\\d+):(\\d+): (.*)$", Pattern.DOTALL);

    private SearchSpaceFile() {}

    public static SearchSpace load(Path file, PipelineConfig base) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of(new Violation(file.toString(), "cannot read the search space file: " + e)));
        }
        SearchSpace.Builder builder = SearchSpace.newBuilder();
        try {
            TextFormat.Parser.newBuilder().build().merge(text, builder);
        } catch (TextFormat.ParseException e) {
            Matcher m = LOCATION.matcher(String.valueOf(e.getMessage()));
            Violation v = m.matches() ? new Violation(file + ":" + m.group(1) + ":" + m.group(2), m.group(3))
                    : new Violation(file.toString(), String.valueOf(e.getMessage()));
            throw new ConfigException(file.toString(), List.of(v));
        }
        SearchSpace space = builder.build();
        List<Violation> problems = ConfigValidator.validate(base.toBuilder().setHpoConfig(space).build()).stream()
                .filter(v -> v.path().startsWith("hpo_config")).toList();
        if (!problems.isEmpty()) {
            throw new ConfigException(file.toString(), problems);
        }
        return space;
    }
}
