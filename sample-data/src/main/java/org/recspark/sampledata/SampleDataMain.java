package org.recspark.sampledata;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.recspark.storage.Locations;

/**
 * Command line of the generator ({@code bin/recspark generate-sample} forwards its arguments here):
 * {@code --out DIR [--seed N] [--users N] [--items N] [--categories N] [--start YYYY-MM-DD] [--days N]
 * [--impressions-per-day N] [--device-drift YYYY-MM-DD=DEVICE]}; unspecified values are those of {@link GeneratorSpec#small()}.
 */
public final class SampleDataMain {
    private static final int USAGE_ERROR = 2;
    private static final int RUN_ERROR = 1;

    private SampleDataMain() {}

    /** Prints a one-line summary; exits with 2 on bad arguments (after the usage) and 1 when writing fails. */
    public static void main(String[] args) {
        try {
            System.out.println(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("generate-sample: " + e.getMessage());
            System.err.println(usage());
            System.exit(USAGE_ERROR);
        } catch (UncheckedIOException e) {
            System.err.println("generate-sample: " + e.getMessage() + ": " + e.getCause());
            System.exit(RUN_ERROR);
        }
    }

    public static String usage() {
        GeneratorSpec d = GeneratorSpec.small();
        return "usage: generate-sample --out DIR [--seed N] [--users N] [--items N] [--categories N] "
                + "[--start YYYY-MM-DD] [--days N] [--impressions-per-day N] [--device-drift YYYY-MM-DD=DEVICE]\n"
                + "  --device-drift: every request of that day comes from DEVICE (ios, android, web), a planted drift\n"
                + "  defaults (the committed sample): --seed " + d.seed() + " --users " + d.numUsers() + " --items " + d.numItems()
                + " --categories " + d.numCategories() + " --start " + d.startDate() + " --days " + d.numDays()
                + " --impressions-per-day " + d.impressionsPerDay();
    }

    /**
     * Generates as the arguments say and returns a one-line summary.
     *
     * @throws IllegalArgumentException on an unknown, repeated, missing or invalid option, with a message saying which
     */
    public static String run(String[] args) {
        GeneratorSpec spec = GeneratorSpec.small();
        Path out = null;
        PlantedDrift drift = null;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.length; i += 2) {
            String option = args[i];
            if (!option.startsWith("--")) {
                throw new IllegalArgumentException("expected an option '--name', got '" + option + "'");
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            if (!seen.add(option)) {
                throw new IllegalArgumentException(option + " is given twice");
            }
            String value = args[i + 1];
            try {
                switch (option) {
                    case "--out" -> out = Locations.of(value);
                    case "--seed" -> spec = spec.withSeed(parseLong(option, value));
                    case "--users" -> spec = spec.withUsers(parseInt(option, value));
                    case "--items" -> spec = spec.withItems(parseInt(option, value));
                    case "--categories" -> spec = spec.withCategories(parseInt(option, value));
                    case "--start" -> spec = spec.withStartDate(parseDate(option, value));
                    case "--days" -> spec = spec.withDays(parseInt(option, value));
                    case "--impressions-per-day" -> spec = spec.withImpressionsPerDay(parseInt(option, value));
                    case "--device-drift" -> drift = parseDrift(option, value);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            } catch (IllegalArgumentException e) {
                // the spec's own rules speak of its fields (numUsers); the user gave an option
                boolean namesIt = e.getMessage().startsWith(option) || option.equals("--out") || e.getMessage().startsWith("unknown option");
                throw namesIt ? e : new IllegalArgumentException(option + " " + value + ": " + e.getMessage(), e);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out is required");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file; the synthetic log is a directory of CSV tables");
        }
        if (drift != null) {
            // applied last: it is checked against the days the other options chose
            spec = spec.withDrift(drift);
        }
        GenerationSummary s = SyntheticLogGenerator.generate(spec, out);
        return String.format(Locale.ROOT, "wrote %s: %d users, %d items, %d impressions, %d clicks (CTR %.4f), %d behaviour events",
                out, s.users(), s.items(), s.impressions(), s.clicks(), s.clickThroughRate(), s.behaviourEvents());
    }

    private static PlantedDrift parseDrift(String option, String value) {
        int eq = value.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException(option + " expects YYYY-MM-DD=DEVICE, got '" + value + "'");
        }
        return new PlantedDrift(parseDate(option, value.substring(0, eq)), value.substring(eq + 1));
    }

    private static long parseLong(String option, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects an integer, got '" + value + "'");
        }
    }

    private static int parseInt(String option, String value) {
        long parsed = parseLong(option, value);
        if (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + " expects an integer up to " + Integer.MAX_VALUE + ", got '" + value + "'");
        }
        return (int) parsed;
    }

    private static LocalDate parseDate(String option, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " expects a date YYYY-MM-DD, got '" + value + "'");
        }
    }
}
