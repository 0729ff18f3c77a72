package org.recspark.config;

import java.util.List;
import java.util.stream.Collectors;

/** A config that cannot be used, with every violation found (never only the first). */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<Violation> violations;

    public ConfigException(List<Violation> violations) {
        this(null, violations);
    }

    /** @param source the file or other origin of the config, named in the message; may be null */
    public ConfigException(String source, List<Violation> violations) {
        super(describe(source, violations));
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }

    private static String describe(String source, List<Violation> violations) {
        String head = (source == null ? "invalid config" : "invalid config " + source)
                + " (" + violations.size() + (violations.size() == 1 ? " problem" : " problems") + "):";
        return violations.stream().map(v -> "  " + v).collect(Collectors.joining("\n", head + "\n", ""));
    }
}
