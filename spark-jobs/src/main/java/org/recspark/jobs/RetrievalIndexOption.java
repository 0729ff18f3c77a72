package org.recspark.jobs;

import java.util.Locale;
import java.util.Set;
import org.recspark.trainer.retrieval.AnnParameters;
import org.recspark.trainer.retrieval.ApproximateTopK;
import org.recspark.trainer.retrieval.EmbeddingSimilarity;
import org.recspark.trainer.retrieval.ExactTopK;
import org.recspark.trainer.retrieval.TopKSearch;

/**
 * {@code --index exact|ann} of retrieve and the graph index's settings {@code --ann-degree},
 * {@code --ann-beam-width} and {@code --ann-overquery} ({@link AnnParameters}, its defaults when
 * absent). Checked before any work: a bad value is a usage error naming its option, and the
 * settings without {@code --index ann} are an error rather than silently ignored.
 */
record RetrievalIndexOption(boolean approximate, AnnParameters parameters) {
    static final String NAME = "index";
    static final String DEGREE = "ann-degree";
    static final String BEAM_WIDTH = "ann-beam-width";
    static final String OVERQUERY = "ann-overquery";
    static final Set<String> NAMES = Set.of(NAME, DEGREE, BEAM_WIDTH, OVERQUERY);

    static RetrievalIndexOption of(CommandLine cl) {
        String index = cl.optional(NAME).orElse("exact");
        if (!index.equals("exact") && !index.equals("ann")) {
            throw new UsageException("--" + NAME + " must be exact or ann, got '" + index + "'");
        }
        if (index.equals("exact")) {
            for (String setting : new String[] {DEGREE, BEAM_WIDTH, OVERQUERY}) {
                if (cl.optional(setting).isPresent()) {
                    throw new UsageException("--" + setting + " applies to --" + NAME + " ann only");
                }
            }
            return new RetrievalIndexOption(false, AnnParameters.defaults());
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
        return new RetrievalIndexOption(true, new AnnParameters(degree, beamWidth, overquery));
    }

    TopKSearch search(EmbeddingSimilarity similarity, int threads) {
        return approximate ? new ApproximateTopK(parameters, similarity, threads) : new ExactTopK(threads);
    }

    /** How the output line names the search. */
    String describe(EmbeddingSimilarity similarity) {
        return approximate ? String.format(Locale.ROOT, "graph index, %s, degree %d, beam width %d, overquery %d",
                similarity.name().toLowerCase(Locale.ROOT).replace('_', ' '), parameters.degree(), parameters.beamWidth(),
                parameters.overquery()) : "exact";
    }
}
