package org.recspark.jobs;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.recspark.jobs.retrieval.KeyedEmbeddings;
import org.recspark.jobs.retrieval.TwoTowerBundle;
import org.recspark.storage.Locations;
import org.recspark.trainer.retrieval.AnnParameters;
import org.recspark.trainer.retrieval.ApproximateTopK;
import org.recspark.trainer.retrieval.EmbeddingSimilarity;
import org.recspark.trainer.retrieval.ExactTopK;
import org.recspark.trainer.retrieval.SavedItemIndex;
import org.recspark.trainer.retrieval.TopKResult;

/**
 * {@code --index exact|ann} of retrieve, the graph index's settings {@code --ann-degree},
 * {@code --ann-beam-width} and {@code --ann-overquery} ({@link AnnParameters}, its defaults when
 * absent), {@code --ann-build-threads} (1, a reproducible graph, by default), and {@code --index-dir}, where the graph index is saved and later loaded from
 * ({@link SavedItemIndex}). Checked before any work: a bad value is a usage error naming its option,
 * and the settings without {@code --index ann} are an error rather than silently ignored.
 *
 * @param givenBuild the degree and beam width when either was given: a saved index built with
 *                   others is refused rather than used
 */
record RetrievalIndexOption(boolean approximate, AnnParameters parameters, int buildThreads, Optional<AnnParameters> givenBuild,
                            Optional<String> indexDir) {
    static final String NAME = "index";
    static final String DEGREE = "ann-degree";
    static final String BEAM_WIDTH = "ann-beam-width";
    static final String OVERQUERY = "ann-overquery";
    static final String BUILD_THREADS = "ann-build-threads";
    static final String INDEX_DIR = "index-dir";
    static final Set<String> NAMES = Set.of(NAME, DEGREE, BEAM_WIDTH, OVERQUERY, BUILD_THREADS, INDEX_DIR);

    /** A search's rankings and how the output line names the search. */
    record Searched(TopKResult top, String description) {}

    static RetrievalIndexOption of(CommandLine cl) {
        String index = cl.optional(NAME).orElse("exact");
        if (!index.equals("exact") && !index.equals("ann")) {
            throw new UsageException("--" + NAME + " must be exact or ann, got '" + index + "'");
        }
        if (index.equals("exact")) {
            for (String setting : List.of(DEGREE, BEAM_WIDTH, OVERQUERY, BUILD_THREADS, INDEX_DIR)) {
                if (cl.optional(setting).isPresent()) {
                    throw new UsageException("--" + setting + " applies to --" + NAME + " ann only");
                }
            }
            return new RetrievalIndexOption(false, AnnParameters.defaults(), 1, Optional.empty(), Optional.empty());
        }
        int degree = cl.positiveInt(DEGREE, AnnParameters.DEFAULT_DEGREE);
        if (degree < 2) {
            throw new UsageException("--" + DEGREE + " must be >= 2, got " + degree);
        }
        int beamWidth = cl.positiveInt(BEAM_WIDTH, Math.max(degree, AnnParameters.DEFAULT_BEAM_WIDTH));
        if (beamWidth < degree) {
            throw new UsageException("--" + BEAM_WIDTH + " must be >= --" + DEGREE + " (" + degree + "), got " + beamWidth);
        }
        int overquery = cl.positiveInt(OVERQUERY, AnnParameters.DEFAULT_OVERQUERY);
        AnnParameters parameters = new AnnParameters(degree, beamWidth, overquery);
        boolean buildGiven = cl.optional(DEGREE).isPresent() || cl.optional(BEAM_WIDTH).isPresent();
        int buildThreads = cl.positiveInt(BUILD_THREADS, 1);
        return new RetrievalIndexOption(true, parameters, buildThreads, buildGiven ? Optional.of(parameters) : Optional.empty(),
                cl.optional(INDEX_DIR));
    }

    /**
     * Every user's top K of the items: exact, from a graph index built for this run, or with
     * {@code --index-dir} from the index saved there (built and saved first when there is none).
     */
    Searched search(KeyedEmbeddings users, KeyedEmbeddings items, int[][] excluded, int k, EmbeddingSimilarity similarity, int threads,
                    TwoTowerBundle bundle) {
        if (!approximate) {
            return new Searched(new ExactTopK(threads).search(users.vectors(), items.vectors(), users.dim(), excluded, k), "exact");
        }
        ApproximateTopK search = new ApproximateTopK(parameters, similarity, threads, buildThreads);
        if (indexDir.isEmpty()) {
            return new Searched(search.search(users.vectors(), items.vectors(), users.dim(), excluded, k), describe(similarity, parameters));
        }
        SavedItemIndex.Corpus corpus = new SavedItemIndex.Corpus(bundle.fingerprint(), bundle.location(),
                items.keys().stream().map(String::valueOf).toList(), items.vectors(), items.dim(), similarity);
        SavedItemIndex.Opened opened = SavedItemIndex.loadOrBuild(Locations.of(indexDir.get()), corpus, parameters, buildThreads,
                givenBuild);
        AnnParameters used = new AnnParameters(opened.index().parameters().degree(), opened.index().parameters().beamWidth(),
                parameters.overquery());
        return new Searched(search.search(opened.index(), users.vectors(), excluded, k),
                describe(similarity, used) + (opened.loaded() ? ", loaded from " : ", built and saved to ") + indexDir.get());
    }

    private static String describe(EmbeddingSimilarity similarity, AnnParameters parameters) {
        return String.format(Locale.ROOT, "graph index, %s, degree %d, beam width %d, overquery %d",
                similarity.name().toLowerCase(Locale.ROOT).replace('_', ' '), parameters.degree(), parameters.beamWidth(),
                parameters.overquery());
    }
}
