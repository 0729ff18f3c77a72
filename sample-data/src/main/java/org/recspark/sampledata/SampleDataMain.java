package org.recspark.sampledata;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;

/**
 * Command line of the generator ({@code bin/recspark generate-sample} forwards to it):
 * {@code --out DIR [--seed N] [--users N] [--items N] [--categories N] [--start YYYY-MM-DD] [--days N] [--impressions-per-day N]};
 * unspecified values come from {@link GeneratorSpec#small()}.
 */
public final class SampleDataMain {
    private SampleDataMain() {}

    public static void main(String[] args) {
        try {
            System.out.println(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("generate-sample: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
        }
    }

    public static String usage() {
        return "usage: generate-sample --out DIR [--seed N] [--users N] [--items N] [--categories N] "
                + "[--start YYYY-MM-DD] [--days N] [--impressions-per-day N]";
    }

    /** Generates as the arguments say; returns a one-line summary. Throws IllegalArgumentException on bad arguments. */
    public static String run(String[] args) {
        GeneratorSpec spec = GeneratorSpec.small();
        Path out = null;
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("options come in pairs '--name value'");
        }
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--out" -> out = Path.of(value);
                case "--seed" -> spec = spec.withSeed(parseLong(args[i], value));
                case "--users" -> spec = spec.withUsers((int) parseLong(args[i], value));
                case "--items" -> spec = spec.withItems((int) parseLong(args[i], value));
                case "--categories" -> spec = new GeneratorSpec(spec.seed(), spec.numUsers(), spec.numItems(),
                        (int) parseLong(args[i], value), spec.startDate(), spec.numDays(), spec.impressionsPerDay());
                case "--start" -> spec = new GeneratorSpec(spec.seed(), spec.numUsers(), spec.numItems(), spec.numCategories(),
                        LocalDate.parse(value), spec.numDays(), spec.impressionsPerDay());
                case "--days" -> spec = spec.withDays((int) parseLong(args[i], value));
                case "--impressions-per-day" -> spec = spec.withImpressionsPerDay((int) parseLong(args[i], value));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out is required");
        }
        GenerationSummary s = SyntheticLogGenerator.generate(spec, out);
        return String.format(Locale.ROOT, "wrote %s: %d users, %d items, %d impressions, %d clicks (CTR %.4f), %d behaviour events",
                out, s.users(), s.items(), s.impressions(), s.clicks(), s.clickThroughRate(), s.behaviourEvents());
    }

    private static long parseLong(String option, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects an integer, got '" + value + "'");
        }
    }
}
