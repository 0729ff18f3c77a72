package org.recspark.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.recspark.config.proto.Constraints;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.storage.Locations;

/**
 * Keeps every location a config names (the fields the schema marks {@code location}: data tables,
 * vocabularies, rejects, model_dir, warm_start_from) inside the config file's directory tree or an
 * allowed prefix, so a config cannot quietly read (and copy into every export) or write files
 * elsewhere: {@code vocab_file: "../../../../etc/passwd"} is refused.
 *
 * <p>The allowed prefixes are the config's own {@code allowed_paths} (relative to its directory, so
 * the reach of a config is stated in the config, where a reviewer sees it) and those of the system
 * property {@value #ALLOWED_PATHS_PROPERTY} (comma-separated absolute paths or URIs, for a site's
 * data such as {@code hdfs://nn/data/}). Local paths are compared by their real paths, so a
 * symbolic link cannot lead out of the tree; other stores are compared by their normalised URIs,
 * on whole path segments.
 */
final class LocationConfinement {
    /** Comma-separated absolute paths or URI prefixes every config may also use. */
    static final String ALLOWED_PATHS_PROPERTY = "recspark.config.allowed-paths";

    private final Path configDir;
    private final List<Root> roots = new ArrayList<>();
    private final List<Violation> out;

    private LocationConfinement(Path configDir, List<Violation> out) {
        this.configDir = configDir;
        this.out = out;
    }

    /** Every location of {@code config} outside {@code configDir} and the allowed prefixes, and every bad prefix. */
    static List<Violation> check(PipelineConfig config, Path configDir) {
        List<Violation> out = new ArrayList<>();
        LocationConfinement confinement = new LocationConfinement(configDir, out);
        confinement.roots.add(new Root(Target.of("", configDir), "the config's directory " + configDir));
        for (int i = 0; i < config.getAllowedPathsCount(); i++) {
            confinement.allow(config.getAllowedPaths(i), configDir, ConfigPaths.index("", "allowed_paths", i));
        }
        String property = System.getProperty(ALLOWED_PATHS_PROPERTY, "");
        for (String prefix : property.split(",")) {
            if (!prefix.isBlank()) {
                confinement.allowGivenOnItsOwn(prefix.strip(), "system property " + ALLOWED_PATHS_PROPERTY);
            }
        }
        confinement.walk(config, "");
        return out;
    }

    /** A prefix named outside any config, as a command-line location is: a path without a scheme is on the default filesystem. */
    private void allowGivenOnItsOwn(String prefix, String where) {
        try {
            // A URI needs no storage to be compared; only a path without a scheme must be placed on a filesystem.
            Target target = Locations.hasScheme(prefix) ? Target.of(prefix, configDir) : Target.of(Locations.of(prefix));
            roots.add(new Root(target, "'" + prefix + "'"));
        } catch (IllegalArgumentException e) {
            out.add(new Violation(where, e.getMessage()));
        }
    }

    private void allow(String prefix, Path base, String where) {
        if (prefix.isEmpty()) {
            out.add(new Violation(where, "must not be empty"));
            return;
        }
        try {
            roots.add(new Root(Target.of(prefix, base), "'" + prefix + "'"));
        } catch (IllegalArgumentException e) {
            out.add(new Violation(where, e.getMessage()));
        }
    }

    private void walk(MessageOrBuilder message, String path) {
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            String fieldPath = ConfigPaths.child(path, field.getName());
            boolean location = field.getOptions().getExtension(Constraints.check).getLocation();
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isMapField()) {
                if (field.isRepeated()) {
                    for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
                        walk((MessageOrBuilder) message.getRepeatedField(field, i), fieldPath + "[" + i + "]");
                    }
                } else if (message.hasField(field)) {
                    walk((MessageOrBuilder) message.getField(field), fieldPath);
                }
            } else if (location && field.isRepeated()) {
                for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
                    confine((String) message.getRepeatedField(field, i), fieldPath + "[" + i + "]");
                }
            } else if (location && message.hasField(field)) {
                confine((String) message.getField(field), fieldPath);
            }
        }
    }

    private void confine(String location, String fieldPath) {
        if (location.isEmpty()) {
            return;
        }
        Target target;
        try {
            target = Target.of(location, configDir);
        } catch (IllegalArgumentException e) {
            out.add(new Violation(fieldPath, e.getMessage()));
            return;
        }
        if (roots.stream().anyMatch(root -> root.contains(target))) {
            return;
        }
        out.add(new Violation(fieldPath, "'" + location + "' resolves to " + target.describe() + ", outside "
                + String.join(" and ", roots.stream().map(Root::description).toList())
                + "; list a prefix that holds it in allowed_paths (or the system property " + ALLOWED_PATHS_PROPERTY + ")"));
    }

    /**
     * Where a location leads: on this machine's disk its lexical and real paths (after following
     * every symbolic link of the part that exists), on another store its normalised URI.
     */
    private record Target(Path lexical, Path real, URI uri) {
        static Target of(String location, Path base) {
            if (Locations.hasScheme(location)) {
                URI uri = parseUri(location);
                return "file".equalsIgnoreCase(uri.getScheme()) ? local(Locations.of(location)) : new Target(null, null, uri);
            }
            if (Locations.isLocal(base)) {
                return local(location.isEmpty() ? base : base.resolve(location));
            }
            URI dir = base.toUri();
            URI baseUri = dir.getPath().endsWith("/") ? dir : URI.create(dir + "/");
            try {
                return new Target(null, null, baseUri.resolve(new URI(null, null, location, null)).normalize());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + location + "' is not a valid path: " + e.getMessage(), e);
            }
        }

        static Target of(Path path) {
            return Locations.isLocal(path) ? local(path) : new Target(null, null, path.toUri().normalize());
        }

        private static Target local(Path path) {
            Path lexical = path.toAbsolutePath().normalize();
            return new Target(lexical, realPath(lexical), null);
        }

        /** The real path of the longest existing ancestor, with the rest of the path appended. */
        private static Path realPath(Path lexical) {
            Path existing = lexical;
            while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return lexical;
            }
            try {
                return existing.toRealPath().resolve(existing.relativize(lexical)).normalize();
            } catch (IOException e) {
                // a dangling link or an unreadable directory: where it leads cannot be told, so it is nowhere allowed
                return null;
            }
        }

        private static URI parseUri(String location) {
            try {
                return new URI(location).normalize();
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + location + "' is not a valid URI: " + e.getMessage(), e);
            }
        }

        String describe() {
            if (uri != null) {
                return uri.toString();
            }
            if (real == null) {
                return lexical + " (whose real path cannot be found: a dangling symbolic link or an unreadable directory)";
            }
            return real.equals(lexical) ? lexical.toString()
                    : lexical + " (through a symbolic link, really " + real + ")";
        }
    }

    private record Root(Target prefix, String description) {
        boolean contains(Target target) {
            if (prefix.uri() == null || target.uri() == null) {
                return prefix.uri() == null && target.uri() == null && prefix.real() != null && target.real() != null
                        && target.real().startsWith(prefix.real());
            }
            URI p = prefix.uri();
            URI t = target.uri();
            if (!p.getScheme().equalsIgnoreCase(t.getScheme())
                    || !Objects.equals(lower(p.getRawAuthority()), lower(t.getRawAuthority()))) {
                return false;
            }
            String prefixPath = Objects.requireNonNullElse(p.getPath(), "");
            String targetPath = Objects.requireNonNullElse(t.getPath(), "");
            if (targetPath.startsWith("/..") || targetPath.contains("/../")) {
                return false;
            }
            String dir = prefixPath.endsWith("/") ? prefixPath : prefixPath + "/";
            return targetPath.equals(prefixPath) || (targetPath + "/").startsWith(dir);
        }

        private static String lower(String text) {
            return text == null ? null : text.toLowerCase(Locale.ROOT);
        }
    }
}
