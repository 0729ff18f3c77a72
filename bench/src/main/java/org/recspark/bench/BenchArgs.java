package org.recspark.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.recspark.storage.Locations;

/**
 * A benchmark main's {@code --name value} options, checked against the options it declares: an unknown
 * option, a missing value, a missing required option or a value of the wrong type is an
 * {@link IllegalArgumentException} naming the option and repeating the usage line, instead of an
 * index or number-format exception from the middle of an argument loop. An option given several times
 * keeps every value ({@link #all}); the single-value getters take the last.
 */
public final class BenchArgs {
    private final String usage;
    private final Map<String, List<String>> values;

    private BenchArgs(String usage, Map<String, List<String>> values) {
        this.usage = usage;
        this.values = values;
    }

    /**
     * @param usage   the usage line, repeated in every error
     * @param options the option names the program accepts, without their leading {@code --}
     */
    public static BenchArgs parse(String[] args, String usage, Set<String> options) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String arg = args[i];
            String name = arg.startsWith("--") ? arg.substring(2) : null;
            if (name == null || !options.contains(name)) {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; " + usage);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value; " + usage);
            }
            values.computeIfAbsent(name, n -> new ArrayList<>()).add(args[i + 1]);
        }
        return new BenchArgs(usage, values);
    }

    public Optional<String> optional(String name) {
        List<String> v = values.get(name);
        return v == null ? Optional.empty() : Optional.of(v.get(v.size() - 1));
    }

    public String required(String name) {
        return optional(name).orElseThrow(() -> new IllegalArgumentException("--" + name + " is required; " + usage));
    }

    public String string(String name, String fallback) {
        return optional(name).orElse(fallback);
    }

    /** Every value given to a repeatable option, in order; empty when it was not given. */
    public List<String> all(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    /** A local path or a storage location (hdfs://, s3a://, file:), as {@link Locations#of} reads it. */
    public Path path(String name) {
        return Locations.of(required(name));
    }

    public Optional<Path> optionalPath(String name) {
        return optional(name).map(Locations::of);
    }

    /** Every value of a repeatable path option, in order; at least one is required. */
    public List<Path> requiredPaths(String name) {
        required(name);
        return all(name).stream().map(Locations::of).toList();
    }

    public int integer(String name, int fallback) {
        return optional(name).map(v -> parse(name, v, Integer::parseInt, "an integer")).orElse(fallback);
    }

    public long longValue(String name, long fallback) {
        return optional(name).map(v -> parse(name, v, Long::parseLong, "an integer")).orElse(fallback);
    }

    public Optional<Long> optionalLong(String name) {
        return optional(name).map(v -> parse(name, v, Long::parseLong, "an integer"));
    }

    public double number(String name, double fallback) {
        return optional(name).map(v -> parse(name, v, Double::parseDouble, "a number")).orElse(fallback);
    }

    /** A comma-separated list of integers, such as {@code 1,2,5}. */
    public List<Integer> integers(String name, List<Integer> fallback) {
        return optional(name).map(v -> {
            List<Integer> out = new ArrayList<>();
            for (String part : v.split(",")) {
                out.add(parse(name, part.trim(), Integer::parseInt, "a comma-separated list of integers"));
            }
            return List.copyOf(out);
        }).orElse(fallback);
    }

    private <T> T parse(String name, String value, Function<String, T> parser, String expected) {
        try {
            return parser.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": expected " + expected + ", got '" + value + "'; " + usage, e);
        }
    }
}
