package org.recspark.sampledata;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a synthetic recommendation log with a planted, learnable click signal: users.csv,
 * items.csv, impressions.csv and behaviours.csv (schemas and the signal in sample-data/README.md).
 *
 * <p>Deterministic: every random draw comes from {@link SplittableRandom}s split from the spec's
 * seed in a fixed order, and output follows index order, never hash order. Memory is bounded
 * whatever the number of days: users and items are held, impressions and behaviours are streamed,
 * each user keeps only the categories it clicked in the last 24 hours (for the recency effect), and
 * clicks wait at most a minute in a queue until they are in the past.
 */
public final class SyntheticLogGenerator {
    private static final Logger LOG = LoggerFactory.getLogger(SyntheticLogGenerator.class);

    static final String[] OCCUPATIONS = {"student", "engineer", "teacher", "doctor", "artist", "sales", "lawyer",
        "nurse", "manager", "writer", "retired", "scientist", "clerk", "farmer", "homemaker"};
    static final String[] DEVICES = {"ios", "android", "web"};
    static final int[] AGE_BUCKET_EDGES = {25, 35, 50};
    private static final long DAY = 86_400L;

    /** Weights of the planted click model; the README documents them. */
    static final double BIAS = -3.4;
    static final double INTEREST = 1.5;
    static final double AFFINITY = 2.0;
    static final double RECENT_CATEGORY = 0.9;
    static final double POSITION = -0.08;
    static final double PRICE = -0.35;
    static final double LIKE_PROBABILITY = 0.2;
    static final double BUY_PROBABILITY = 0.05;
    /** The files a generation writes, each replaced only once all are complete. */
    static final List<String> TABLES = List.of("users.csv", "items.csv", "impressions.csv", "behaviours.csv");

    private SyntheticLogGenerator() {}

    /**
     * Writes users.csv, items.csv, impressions.csv and behaviours.csv into {@code outDir} (created if
     * needed; existing files of those names are replaced once all four are complete, {@link StagedFiles}).
     */
    public static GenerationSummary generate(GeneratorSpec spec, Path outDir) {
        LOG.info("Generating a synthetic log into {}: {}", outDir, spec);
        try {
            Files.createDirectories(outDir);
            return new Run(spec).write(outDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic log to " + outDir, e);
        }
    }

    /** One generation: the world (users, items, effects) and the streamed events. */
    private static final class Run {
        private final GeneratorSpec spec;
        private final SplittableRandom worldRandom;
        private final SplittableRandom eventRandom;
        private final long start;

        private final int[] age;
        private final boolean[] female;
        private final int[][] interests;
        private final int[][] affinityCategories;
        private final double[][] affinityWeights;
        private final double[] activity;
        private final double[] activityCdf;
        /** Per user, created at its first click. */
        private final RecentCategoryClicks[] recentClicks;
        /** Impression clicks not yet in the past of the current request, by time. */
        private final PriorityQueue<PendingClick> pendingClicks = new PriorityQueue<>(Comparator.comparingLong(PendingClick::ts));

        private final int[] category;
        private final double[] price;
        private final double[] popularity;
        private final int[][] itemsByCategory;
        private final double[] categoryCdf;
        private final double[][] ageCategoryEffect;
        private final double[][] deviceCategoryEffect;

        private long clicks;
        private long behaviourEvents;

        Run(GeneratorSpec spec) {
            this.spec = spec;
            SplittableRandom root = new SplittableRandom(spec.seed());
            this.worldRandom = root.split();
            this.eventRandom = root.split();
            this.start = spec.startDate().atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            int users = spec.numUsers();
            int items = spec.numItems();
            int cats = spec.numCategories();

            this.categoryCdf = cdf(zipfWeights(cats, 0.8));
            this.ageCategoryEffect = gaussianMatrix(AGE_BUCKET_EDGES.length + 1, cats, 0.6);
            this.deviceCategoryEffect = gaussianMatrix(DEVICES.length, cats, 0.3);

            this.category = new int[items];
            this.price = new double[items];
            this.popularity = new double[items];
            double[] categoryPriceLevel = new double[cats];
            for (int c = 0; c < cats; c++) {
                categoryPriceLevel[c] = 1.5 + 2.5 * worldRandom.nextDouble();
            }
            int[] perCategory = new int[cats];
            for (int i = 0; i < items; i++) {
                category[i] = i < cats ? i : sample(categoryCdf, worldRandom);
                perCategory[category[i]]++;
                // Rounded as written, so that the click model uses the price in items.csv.
                price[i] = Math.max(0.01, Math.round(Math.exp(categoryPriceLevel[category[i]] + 0.6 * gaussian(worldRandom)) * 100) / 100.0);
                popularity[i] = 0.5 * gaussian(worldRandom);
            }
            this.itemsByCategory = new int[cats][];
            for (int c = 0; c < cats; c++) {
                itemsByCategory[c] = new int[perCategory[c]];
                perCategory[c] = 0;
            }
            for (int i = 0; i < items; i++) {
                itemsByCategory[category[i]][perCategory[category[i]]++] = i;
            }

            this.age = new int[users];
            this.female = new boolean[users];
            this.interests = new int[users][];
            this.affinityCategories = new int[users][];
            this.affinityWeights = new double[users][];
            this.activity = new double[users];
            this.recentClicks = new RecentCategoryClicks[users];
            for (int u = 0; u < users; u++) {
                age[u] = 15 + (int) Math.min(55, Math.abs(gaussian(worldRandom)) * 18);
                female[u] = worldRandom.nextBoolean();
                interests[u] = distinctCategories(1 + worldRandom.nextInt(4), cats);
                affinityCategories[u] = distinctCategories(2 + worldRandom.nextInt(4), cats);
                double[] w = new double[affinityCategories[u].length];
                double sum = 0;
                for (int k = 0; k < w.length; k++) {
                    w[k] = 0.05 + worldRandom.nextDouble();
                    sum += w[k];
                }
                for (int k = 0; k < w.length; k++) {
                    w[k] = Math.round(w[k] / sum * 100) / 100.0;
                }
                affinityWeights[u] = w;
                activity[u] = Math.exp(gaussian(worldRandom));
            }
            this.activityCdf = cdf(activity);
        }

        GenerationSummary write(Path dir) throws IOException {
            long impressions;
            try (StagedFiles files = new StagedFiles(dir, TABLES)) {
                writeUsers(files.file("users.csv"));
                writeItems(files.file("items.csv"));
                try (BufferedWriter impressionsOut = writer(files.file("impressions.csv"));
                     BufferedWriter behavioursOut = writer(files.file("behaviours.csv"))) {
                    impressionsOut.write("request_id,ts,dt,user_id,item_id,device,hour,position,click\n");
                    behavioursOut.write("user_id,item_id,event,ts,category\n");
                    writeWarmUpDay(behavioursOut);
                    impressions = writeImpressionDays(impressionsOut, behavioursOut);
                }
                files.publish();
            }
            GenerationSummary summary = new GenerationSummary(spec.numUsers(), spec.numItems(), impressions, clicks, behaviourEvents);
            LOG.info("Generated {} users, {} items, {} impressions (CTR {}), {} behaviour events into {}",
                    summary.users(), summary.items(), impressions, String.format(Locale.ROOT, "%.4f", summary.clickThroughRate()),
                    behaviourEvents, dir);
            return summary;
        }

        private void writeUsers(Path file) throws IOException {
            try (BufferedWriter out = writer(file)) {
                out.write("user_id,age,gender,city,occupation,interests,category_affinity\n");
                SplittableRandom r = worldRandom.split();
                for (int u = 0; u < spec.numUsers(); u++) {
                    StringBuilder line = new StringBuilder(96);
                    line.append(userId(u)).append(',').append(age[u]).append(',').append(female[u] ? 'F' : 'M')
                            .append(",c").append((int) Math.min(49, Math.abs(gaussian(r)) * 15))
                            .append(',').append(OCCUPATIONS[r.nextInt(OCCUPATIONS.length)]).append(',');
                    joinCategories(line, interests[u]);
                    line.append(',');
                    for (int k = 0; k < affinityCategories[u].length; k++) {
                        if (k > 0) {
                            line.append('|');
                        }
                        line.append("cat").append(affinityCategories[u][k]).append(':')
                                .append(String.format(Locale.ROOT, "%.2f", affinityWeights[u][k]));
                    }
                    out.write(line.append('\n').toString());
                }
            }
        }

        private void writeItems(Path file) throws IOException {
            try (BufferedWriter out = writer(file)) {
                out.write("item_id,category,brand,price,tags,publish_ts\n");
                SplittableRandom r = worldRandom.split();
                int brands = Math.max(1, spec.numItems() / 5);
                for (int i = 0; i < spec.numItems(); i++) {
                    StringBuilder line = new StringBuilder(80);
                    line.append(itemId(i)).append(",cat").append(category[i]).append(",b").append(r.nextInt(brands))
                            .append(',').append(String.format(Locale.ROOT, "%.2f", price[i])).append(',');
                    int tags = 1 + r.nextInt(5);
                    int[] chosen = new int[tags];
                    int n = 0;
                    while (n < tags) {
                        // Tags cluster by category (10 per category), with some shared ones.
                        int tag = r.nextInt(4) == 0 ? r.nextInt(100) : 100 + category[i] * 10 + r.nextInt(10);
                        if (!contains(chosen, n, tag)) {
                            chosen[n++] = tag;
                        }
                    }
                    for (int k = 0; k < tags; k++) {
                        line.append(k > 0 ? "|t" : "t").append(chosen[k]);
                    }
                    line.append(',').append(start - DAY * (1 + r.nextInt(365))).append('\n');
                    out.write(line.toString());
                }
            }
        }

        /** Organic clicks on the day before the first impression day, so histories exist from the start. */
        private void writeWarmUpDay(BufferedWriter out) throws IOException {
            int events = Math.max(1, spec.impressionsPerDay() / 10);
            long[] times = sortedTimes(start - DAY, events, eventRandom);
            for (long ts : times) {
                int u = sample(activityCdf, eventRandom);
                int item = preferredItem(u, eventRandom);
                writeBehaviour(out, u, item, "click", ts);
                recordClick(u, category[item], ts);
            }
        }

        private long writeImpressionDays(BufferedWriter impressionsOut, BufferedWriter behavioursOut) throws IOException {
            long impressions = 0;
            long requestCounter = 0;
            for (int day = 0; day < spec.numDays(); day++) {
                long dayStart = start + day * DAY;
                String dt = spec.startDate().plusDays(day).toString();
                int[] sizes = requestSizes(spec.impressionsPerDay(), eventRandom);
                long[] times = sortedTimes(dayStart, sizes.length, eventRandom);
                long clicksBefore = clicks;
                for (int q = 0; q < sizes.length; q++) {
                    writeRequest(impressionsOut, behavioursOut, "r" + requestCounter++, times[q], dt, sizes[q]);
                }
                impressions += spec.impressionsPerDay();
                LOG.info("Day {} of {} ({}): {} requests, {} impressions, {} clicks", day + 1, spec.numDays(), dt,
                        sizes.length, spec.impressionsPerDay(), clicks - clicksBefore);
            }
            return impressions;
        }

        private void writeRequest(BufferedWriter impressionsOut, BufferedWriter behavioursOut, String requestId, long ts,
                                  String dt, int size) throws IOException {
            int u = sample(activityCdf, eventRandom);
            int drawn = eventRandom.nextInt(DEVICES.length);
            int device = spec.drift().filter(d -> d.day().toString().equals(dt)).map(PlantedDrift::deviceIndex).orElse(drawn);
            int hour = (int) ((ts % DAY) / 3600);
            applyClicksBefore(ts);
            RecentCategoryClicks recent = recentClicks[u];
            if (recent != null) {
                recent.forgetBefore(ts - DAY);
            }
            int[] shown = distinctItems(u, size);
            StringBuilder line = new StringBuilder(64);
            for (int p = 0; p < size; p++) {
                int item = shown[p];
                int c = category[item];
                boolean clickedCategoryInLastDay = recent != null && recent.clickedSince(c, ts - DAY);
                boolean click = eventRandom.nextDouble() < sigmoid(clickLogit(u, item, device, p, clickedCategoryInLastDay));
                line.setLength(0);
                line.append(requestId).append(',').append(ts).append(',').append(dt).append(',').append(userId(u)).append(',')
                        .append(itemId(item)).append(',').append(DEVICES[device]).append(',').append(hour).append(',')
                        .append(p).append(',').append(click ? 1 : 0).append('\n');
                impressionsOut.write(line.toString());
                if (click) {
                    clicks++;
                    long clickTs = ts + 5 + eventRandom.nextInt(55);
                    writeBehaviour(behavioursOut, u, item, "click", clickTs);
                    pendingClicks.add(new PendingClick(clickTs, u, c));
                    if (eventRandom.nextDouble() < LIKE_PROBABILITY) {
                        writeBehaviour(behavioursOut, u, item, "like", clickTs + 60 + eventRandom.nextInt(540));
                    }
                    if (eventRandom.nextDouble() < BUY_PROBABILITY) {
                        writeBehaviour(behavioursOut, u, item, "buy", clickTs + 600 + eventRandom.nextInt(3000));
                    }
                }
            }
        }

        /** The planted click model (README.md, "The planted signal"). */
        private double clickLogit(int u, int item, int device, int position, boolean clickedCategoryInLastDay) {
            int c = category[item];
            return BIAS
                    + (contains(interests[u], interests[u].length, c) ? INTEREST : 0)
                    + AFFINITY * affinity(u, c)
                    + ageCategoryEffect[ageBucket(age[u])][c]
                    + deviceCategoryEffect[device][c]
                    + PRICE * (age[u] < 25 ? 2 : 1) * Math.log(price[item]) / 3
                    + popularity[item]
                    + POSITION * position
                    + (clickedCategoryInLastDay ? RECENT_CATEGORY : 0);
        }

        /** Items of one request: a third uniformly at random, the rest preferred by the user; no repeats. */
        private int[] distinctItems(int u, int size) {
            int[] shown = new int[size];
            for (int p = 0; p < size; p++) {
                int item;
                do {
                    item = eventRandom.nextInt(3) == 0 ? eventRandom.nextInt(spec.numItems()) : preferredItem(u, eventRandom);
                } while (contains(shown, p, item));
                shown[p] = item;
            }
            return shown;
        }

        /**
         * Moves the impression clicks before {@code ts} into the users' recent-click state. A click
         * is written a few seconds after its impression, so a later request of the same user may come
         * before it; holding clicks until then keeps the recency effect free of look-ahead.
         */
        private void applyClicksBefore(long ts) {
            while (!pendingClicks.isEmpty() && pendingClicks.peek().ts() < ts) {
                PendingClick click = pendingClicks.poll();
                recordClick(click.user(), click.category(), click.ts());
            }
        }

        private void recordClick(int u, int c, long ts) {
            if (recentClicks[u] == null) {
                recentClicks[u] = new RecentCategoryClicks();
            }
            recentClicks[u].record(c, ts);
        }

        private void writeBehaviour(BufferedWriter out, int u, int item, String event, long ts) throws IOException {
            behaviourEvents++;
            out.write(userId(u) + "," + itemId(item) + "," + event + "," + ts + ",cat" + category[item] + "\n");
        }

        private double affinity(int u, int c) {
            int[] cats = affinityCategories[u];
            for (int k = 0; k < cats.length; k++) {
                if (cats[k] == c) {
                    return affinityWeights[u][k];
                }
            }
            return 0;
        }

        /** An item from one of the user's interests (70%) or a popular category. */
        private int preferredItem(int u, SplittableRandom r) {
            int c = r.nextInt(10) < 7 ? interests[u][r.nextInt(interests[u].length)] : sample(categoryCdf, r);
            int[] pool = itemsByCategory[c];
            return pool[r.nextInt(pool.length)];
        }

        private int[] distinctCategories(int n, int cats) {
            int count = Math.min(n, cats);
            int[] chosen = new int[count];
            int k = 0;
            while (k < count) {
                int c = sample(categoryCdf, worldRandom);
                if (!contains(chosen, k, c)) {
                    chosen[k++] = c;
                }
            }
            return chosen;
        }

        private double[][] gaussianMatrix(int rows, int cols, double scale) {
            double[][] m = new double[rows][cols];
            for (double[] row : m) {
                for (int j = 0; j < cols; j++) {
                    row[j] = scale * gaussian(worldRandom);
                }
            }
            return m;
        }
    }

    /** A click of an impression, waiting until it is in the past of the current request. */
    private record PendingClick(long ts, int user, int category) {}

    static int ageBucket(int age) {
        int b = 0;
        while (b < AGE_BUCKET_EDGES.length && age >= AGE_BUCKET_EDGES[b]) {
            b++;
        }
        return b;
    }

    static String userId(int u) {
        return "u" + u;
    }

    static String itemId(int i) {
        return "i" + i;
    }

    private static void joinCategories(StringBuilder line, int[] categories) {
        for (int k = 0; k < categories.length; k++) {
            line.append(k > 0 ? "|cat" : "cat").append(categories[k]);
        }
    }

    private static boolean contains(int[] values, int length, int value) {
        for (int k = 0; k < length; k++) {
            if (values[k] == value) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sizes of one day's requests, each within [MIN_REQUEST_SIZE, MAX_REQUEST_SIZE], summing to
     * exactly {@code impressions} (at least MIN_REQUEST_SIZE).
     */
    static int[] requestSizes(int impressions, SplittableRandom r) {
        int[] sizes = new int[impressions / GeneratorSpec.MIN_REQUEST_SIZE];
        int n = 0;
        int remaining = impressions;
        while (remaining > 0) {
            // Never leave fewer than MIN_REQUEST_SIZE for the last request.
            int size = remaining <= GeneratorSpec.MAX_REQUEST_SIZE ? remaining
                    : GeneratorSpec.MIN_REQUEST_SIZE + r.nextInt(Math.min(GeneratorSpec.MAX_REQUEST_SIZE,
                            remaining - GeneratorSpec.MIN_REQUEST_SIZE) - GeneratorSpec.MIN_REQUEST_SIZE + 1);
            sizes[n++] = size;
            remaining -= size;
        }
        return Arrays.copyOf(sizes, n);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static long[] sortedTimes(long dayStart, int n, SplittableRandom r) {
        long[] times = new long[n];
        for (int k = 0; k < n; k++) {
            times[k] = dayStart + r.nextLong(DAY);
        }
        Arrays.sort(times);
        return times;
    }

    private static double[] zipfWeights(int n, double exponent) {
        double[] w = new double[n];
        for (int k = 0; k < n; k++) {
            w[k] = 1 / Math.pow(k + 1, exponent);
        }
        return w;
    }

    private static double[] cdf(double[] weights) {
        double[] cdf = new double[weights.length];
        double sum = 0;
        for (int k = 0; k < weights.length; k++) {
            sum += weights[k];
            cdf[k] = sum;
        }
        for (int k = 0; k < cdf.length; k++) {
            cdf[k] /= sum;
        }
        return cdf;
    }

    private static int sample(double[] cdf, SplittableRandom r) {
        int i = Arrays.binarySearch(cdf, r.nextDouble());
        return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
    }

    /** Box-Muller; SplittableRandom has no nextGaussian on Java 17. */
    private static double gaussian(SplittableRandom r) {
        double u1 = 1 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static BufferedWriter writer(Path file) throws IOException {
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }
}
