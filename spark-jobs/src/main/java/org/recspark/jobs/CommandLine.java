package org.recspark.jobs;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Strict "--name value" options and "--name" flags: an unknown option, a missing value or a
 * repeated option is a {@link UsageException}, never ignored.
 */
final class CommandLine {
    private final Map<String, String> values;
    private final Set<String> flags;

    private CommandLine(Map<String, String> values, Set<String> flags) {
        this.values = values;
        this.flags = flags;
    }

    static CommandLine parse(List<String> args, Set<String> allowed) {
        return parse(args, allowed, Set.of());
    }

    /**
     * @param allowed      options that take a value
     * @param allowedFlags options without a value (true when given)
     */
    static CommandLine parse(List<String> args, Set<String> allowed, Set<String> allowedFlags) {
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            if (allowedFlags.contains(name)) {
                if (!flags.add(name)) {
                    throw new UsageException("option --" + name + " given twice");
                }
                continue;
            }
            if (!allowed.contains(name)) {
                Set<String> all = new HashSet<>(allowed);
                all.addAll(allowedFlags);
                throw new UsageException("unknown option --" + name + " (expected one of " + sortedOptions(all) + ")");
            }
            if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                throw new UsageException("option --" + name + " needs a value");
            }
            if (values.put(name, args.get(++i)) != null) {
                throw new UsageException("option --" + name + " given twice");
            }
        }
        return new CommandLine(values, flags);
    }

    /** Whether the flag {@code --name} was given. */
    boolean flag(String name) {
        return flags.contains(name);
    }

    String required(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new UsageException("option --" + name + " is required");
        }
        return value;
    }

    Optional<String> optional(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** An optional day as YYYY-MM-DD (a daily partition), a day of the calendar: 2026-13-45 is refused, not searched for. */
    Optional<String> date(String name) {
        Optional<String> date = optional(name);
        if (date.isPresent() && !date.get().matches("\\d{4}-\\d{2}-\\d{2}")) {
            throw new UsageException("--" + name + " expects YYYY-MM-DD, got '" + date.get() + "'");
        }
        try {
            date.ifPresent(LocalDate::parse);
        } catch (DateTimeParseException e) {
            throw new UsageException("--" + name + " expects a day of the calendar as YYYY-MM-DD, got '" + date.get() + "' ("
                    + e.getMessage().replaceFirst("^Text '[^']*' could not be parsed: ", "") + ")");
        }
        return date;
    }

    /** A positive integer option. */
    int positiveInt(String name, int defaultValue) {
        long v = longValue(name, defaultValue);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new UsageException("option --" + name + " must be a positive integer, got " + v);
        }
        return (int) v;
    }

    long longValue(String name, long defaultValue) {
        String value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " expects an integer, got '" + value + "'");
        }
    }

    private static String sortedOptions(Set<String> allowed) {
        return allowed.stream().sorted().map(o -> "--" + o).toList().toString();
    }
}
