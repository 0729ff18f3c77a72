package org.recspark.bench.retrieval;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.RankingMetric;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.MapRecord;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.SampledNegatives;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.data.Examples;
import org.recspark.model.data.ExamplesBuilder;
import org.recspark.model.nn.ModelParameters;
import org.recspark.sampledata.MovieLens100k;
import org.recspark.sampledata.MovieLens100k.Rating;
import org.recspark.trainer.retrieval.RetrievalEvaluation;
import org.recspark.trainer.train.Trainer;
import org.recspark.trainer.train.TrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RecSpark's two-tower model, built from a pipeline config as {@code recspark train} builds it, and
 * trained by RecSpark's {@link Trainer} on the training positives: one row per positive (label 1),
 * from the MovieLens records of {@code RealDatasets} (user fields user_id, gender, age, occupation,
 * zip3; item fields item_id, genres, release_year) and the context field hist_item_ids: the user's
 * training positives strictly before the row's time, most recent first, at most 50, cut earlier as
 * {@link HistoryRows} says (by default not: next-item rows); for variants to read, also
 * hist_disliked_ids (the user's rated-but-not-liked items before the row) and request_week (see
 * {@link #context}), and the item fields liker_ids and recent_likes (see {@link ItemLikers}: the
 * users who liked the item strictly before the row, most recent first, at most 200, and its likes in
 * the 30 days before the row), and all_liker_ids (its likers among all the task's training positives,
 * the row's own like left out). A query user is embedded from its record and its last 50 training
 * positives before the cut; a corpus item from its record and its likers among all training positives.
 *
 * <p>Settings are chosen on the validation task: each variant (a text-format config fragment merged
 * over the config) with each history-rows choice trains for the config's num_epochs, scored after
 * every epoch; the pair and epoch with the best first metric are refit on the test task's training
 * rows.
 */
public final class TwoTowerPeer implements RetrievalPeer {
    private static final Logger LOG = LoggerFactory.getLogger(TwoTowerPeer.class);
    private static final int HISTORY = 50;
    private static final String LABEL = "rating";
    private static final long WEEK_SECONDS = 7 * 24 * 3600L;
    private static final int LIKERS = 200;
    private static final long RECENT_LIKES_SECONDS = 30 * 24 * 3600L;

    private final PipelineConfig config;
    private final Path configDir;
    private final List<String> variants;
    private final List<HistoryRows> historyRows;
    private final Map<Integer, MapRecord> users = new HashMap<>();
    private final Map<Integer, MapRecord> items = new HashMap<>();
    private final List<RankingMetric> metrics;
    private final int threads;
    private final long firstRatingTime;

    /**
     * @param variants    config fragments to choose from on validation (an empty fragment is the config as is)
     * @param historyRows how training rows pair items with histories, to choose from on validation with each variant
     */
    public TwoTowerPeer(PipelineConfig config, Path configDir, List<String> variants, List<HistoryRows> historyRows, MovieLens100k data,
                        List<RankingMetric> metrics, int threads) {
        if (variants.isEmpty() || historyRows.isEmpty()) {
            throw new IllegalArgumentException("no two-tower variant or history-rows choice to train");
        }
        this.config = config;
        this.configDir = configDir;
        this.variants = List.copyOf(variants);
        this.historyRows = List.copyOf(historyRows);
        this.metrics = List.copyOf(metrics);
        this.threads = threads;
        this.firstRatingTime = data.ratings().stream().mapToLong(Rating::timestamp).min().orElse(0);
        data.users().forEach((id, u) -> users.put(id, new MapRecord(Map.of("user_id", String.valueOf(id), "gender", u.gender(),
                "age", (long) u.age(), "occupation", u.occupation(), "zip3", u.zip().length() >= 3 ? u.zip().substring(0, 3) : u.zip()))));
        data.movies().forEach((id, m) -> items.put(id, new MapRecord(Map.of("item_id", String.valueOf(id),
                "genres", String.join("|", m.genres()), "release_year", releaseYear(m.releaseDate())))));
    }

    /** The year of a release date such as "01-Jan-1995"; empty when unknown. */
    static String releaseYear(String date) {
        return date.length() >= 4 ? date.substring(date.length() - 4) : "";
    }

    @Override
    public String name() {
        String type = ModelFactory.typeName(config.getModelConfig());
        return type.equals("mf_bpr") ? "RecSpark MF-BPR (mf_bpr)" : "RecSpark two-tower (" + type + ")";
    }

    @Override
    public PeerResult run(HeldOutRanking validation, HeldOutRanking test) {
        long tuningStarted = System.nanoTime();
        String first = metrics.get(0).name();
        String bestVariant = null;
        HistoryRows bestRows = null;
        int bestEpoch = 0;
        Map<String, Double> bestMetrics = null;
        List<String> trials = new ArrayList<>();
        for (String variant : variants) {
            for (HistoryRows rows : historyRows) {
                PipelineConfig c = withVariant(variant);
                Prepared v = prepare(c, validation, rows);
                List<Map<String, Double>> byEpoch = new ArrayList<>();
                train(c, v, new TrainingListener() {
                    @Override
                    public boolean afterEpoch(Trainer trainer) {
                        byEpoch.add(validation.evaluate(v.embed(trainer.model()), metrics, threads));
                        return true;
                    }
                });
                for (int e = 0; e < byEpoch.size(); e++) {
                    if (bestMetrics == null || byEpoch.get(e).get(first) > bestMetrics.get(first)) {
                        bestVariant = variant;
                        bestRows = rows;
                        bestEpoch = e + 1;
                        bestMetrics = byEpoch.get(e);
                    }
                }
                trials.add("[" + variant.strip() + "], rows " + rows + ": validation " + first + " by epoch "
                        + byEpoch.stream().map(m -> String.format(Locale.ROOT, "%.4f", m.get(first))).toList());
                LOG.info("two-tower variant {}", trials.get(trials.size() - 1));
            }
        }
        double tuningSeconds = (System.nanoTime() - tuningStarted) / 1e9;
        PipelineConfig chosen = withVariant(bestVariant);
        chosen = chosen.toBuilder().setTrainConfig(chosen.getTrainConfig().toBuilder().setNumEpochs(bestEpoch)).build();
        Prepared t = prepare(chosen, test, bestRows);
        long started = System.nanoTime();
        Model model = train(chosen, t, null);
        double seconds = (System.nanoTime() - started) / 1e9;
        String settings = (bestVariant.isBlank() ? "the config as is" : bestVariant.strip()) + ", rows " + bestRows + ", " + bestEpoch
                + " epochs";
        return new PeerResult(name(), settings, bestMetrics, test.evaluate(t.embed(model), metrics, threads), seconds, tuningSeconds,
                trials);
    }

    private PipelineConfig withVariant(String variant) {
        PipelineConfig.Builder b = config.toBuilder();
        ConfigParser.mergeText(variant, b, "two-tower variant");
        return b.build();
    }

    private Model train(PipelineConfig c, Prepared data, TrainingListener listener) {
        ModelParameters params = new ModelParameters(c.getTrainConfig().getSeed());
        Model model = ModelFactory.create(new ModelContext(c, data.generator().schema(), params));
        if (!(model instanceof TwoTowerModel)) {
            throw new IllegalArgumentException("the two-tower peer needs a two-tower model_config, got " + ModelFactory.typeName(c.getModelConfig()));
        }
        if (model instanceof SampledNegatives sampled && sampled.samplesNegatives() && sampled.drawsFromItemTable()) {
            // MovieLens' item table: every movie of the catalogue, as the corpus that is ranked
            sampled.useItemTable(data.corpusItems());
        }
        try (Trainer trainer = new Trainer(c.getTrainConfig(), model, params, threads)) {
            trainer.fit(data.train(), listener);
        }
        return model;
    }

    /** A task's training rows and its query users' and corpus items' rows, generated by one config's features. */
    private record Prepared(FeatureGenerator generator, Examples train, Examples queryUsers, Examples corpusItems) {
        Embeddings embed(Model model) {
            RetrievalEvaluation.Embeddings u = RetrievalEvaluation.embed(model, List.of(queryUsers), TwoTowerModel.USER_EMBEDDING);
            RetrievalEvaluation.Embeddings i = RetrievalEvaluation.embed(model, List.of(corpusItems), TwoTowerModel.ITEM_EMBEDDING);
            if (u.dim() != i.dim()) {
                throw new IllegalStateException("the towers' embeddings differ in width: users " + u.dim() + ", items " + i.dim());
            }
            return new Embeddings(u.vectors(), i.vectors(), u.dim());
        }
    }

    private Prepared prepare(PipelineConfig c, HeldOutRanking task, HistoryRows rows) {
        FeatureGenerator generator = FeatureGenerator.compile(c.getFeatureConfig(), configDir);
        ExamplesBuilder train = new ExamplesBuilder(generator.schema(), List.of(LABEL));
        Map<Integer, ArrayDeque<Rating>> liked = new HashMap<>();
        Map<Integer, ArrayDeque<Rating>> disliked = new HashMap<>();
        ItemLikers likers = new ItemLikers(LIKERS, RECENT_LIKES_SECONDS);
        ItemLikers allLikers = new ItemLikers(LIKERS, RECENT_LIKES_SECONDS);
        task.training().stream().filter(task::isPositive).forEach(allLikers::record);
        Random random = new Random(c.getTrainConfig().getSeed());
        long lastTraining = firstRatingTime;
        for (Rating r : task.training()) {
            lastTraining = Math.max(lastTraining, r.timestamp());
            ArrayDeque<Rating> likedBefore = liked.computeIfAbsent(r.userId(), u -> new ArrayDeque<>());
            ArrayDeque<Rating> dislikedBefore = disliked.computeIfAbsent(r.userId(), u -> new ArrayDeque<>());
            if (!task.isPositive(r)) {
                remember(dislikedBefore, r, HISTORY + 1);
                continue;
            }
            for (int gap : rows.gaps(countBefore(likedBefore, r.timestamp()), random)) {
                train.add(generator.generate(users.get(r.userId()), withLikers(r.itemId(), likers, r.timestamp(), allLikers, r.userId()),
                        context(likedBefore, gap, dislikedBefore, r.timestamp())), new float[][]{{1f}}, new long[]{r.userId()});
            }
            remember(likedBefore, r, HISTORY + rows.window() + 1);
            likers.record(r);
        }
        int[] itemIds = task.itemIds();
        MapRecord anyItem = withLikers(itemIds[0], likers, lastTraining + 1, allLikers, ItemLikers.NO_USER);
        ExamplesBuilder queries = new ExamplesBuilder(generator.schema(), List.of(LABEL));
        for (int u : task.queryUsers()) {
            ArrayDeque<Rating> likedBefore = liked.getOrDefault(u, new ArrayDeque<>());
            ArrayDeque<Rating> dislikedBefore = disliked.getOrDefault(u, new ArrayDeque<>());
            // Just after the user's last training rating; the data's start for a user without any.
            long now = Math.max(firstRatingTime, Math.max(latest(likedBefore), latest(dislikedBefore)) + 1);
            queries.add(generator.generate(users.get(u), anyItem, context(likedBefore, 0, dislikedBefore, now)),
                    new float[][]{{1f}}, new long[]{u});
        }
        MapRecord anyUser = users.get(task.queryUsers()[0]);
        MapRecord noHistory = context(new ArrayDeque<>(), 0, new ArrayDeque<>(), firstRatingTime);
        ExamplesBuilder corpus = new ExamplesBuilder(generator.schema(), List.of(LABEL));
        for (int item : itemIds) {
            corpus.add(generator.generate(anyUser, withLikers(item, likers, lastTraining + 1, allLikers, ItemLikers.NO_USER), noHistory), new float[][]{{1f}}, new long[]{0});
        }
        return new Prepared(generator, train.build(), queries.build(), corpus.build());
    }

    /**
     * The item's record with its likers and recent likes strictly before {@code time}, and
     * all_liker_ids: its likers among all the task's training positives but {@code user}'s (a
     * training row's own like left out; every corpus item's bag is then drawn as at the cut).
     */
    private MapRecord withLikers(int itemId, ItemLikers likers, long time, ItemLikers allLikers, int user) {
        Map<String, Object> fields = new LinkedHashMap<>(items.get(itemId).fields());
        fields.put("liker_ids", likers.likersBefore(itemId, time));
        fields.put("all_liker_ids", allLikers.likersBefore(itemId, Long.MAX_VALUE, user));
        fields.put("recent_likes", likers.recentLikes(itemId, time));
        return new MapRecord(fields);
    }

    private static void remember(ArrayDeque<Rating> recent, Rating r, int keep) {
        recent.addFirst(r);
        while (recent.size() > keep) {
            recent.removeLast();
        }
    }

    private static long latest(ArrayDeque<Rating> recent) {
        return recent.isEmpty() ? Long.MIN_VALUE : recent.peekFirst().timestamp();
    }

    private static int countBefore(ArrayDeque<Rating> recent, long time) {
        return (int) recent.stream().filter(p -> p.timestamp() < time).count();
    }

    /**
     * The context record at {@code time}: hist_item_ids, the user's liked items (most recent first)
     * rated strictly before it, leaving out the {@code gap} most recent of them; hist_disliked_ids,
     * likewise their rated but not liked items (watched, rating below the threshold), none left out;
     * and request_week, the weeks from the data's first rating to it (YouTube DNN's example-age
     * idea: what is watched drifts with time). A query user's time is just after their last
     * training rating.
     */
    private MapRecord context(ArrayDeque<Rating> liked, int gap, ArrayDeque<Rating> disliked, long time) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("hist_item_ids", itemsBefore(liked, time, gap));
        fields.put("hist_disliked_ids", itemsBefore(disliked, time, 0));
        fields.put("request_week", (time - firstRatingTime) / WEEK_SECONDS);
        return new MapRecord(fields);
    }

    /** The items of {@code recent} (most recent first) rated strictly before {@code time}, the {@code skip} most recent left out, '|'-joined. */
    private static String itemsBefore(ArrayDeque<Rating> recent, long time, int skip) {
        StringBuilder hist = new StringBuilder();
        int n = 0;
        int skipped = 0;
        for (Rating p : recent) {
            if (p.timestamp() >= time) {
                continue;
            }
            if (skipped < skip) {
                skipped++;
            } else if (n < HISTORY) {
                if (!hist.isEmpty()) {
                    hist.append('|');
                }
                hist.append(p.itemId());
                n++;
            }
        }
        return hist.toString();
    }
}
