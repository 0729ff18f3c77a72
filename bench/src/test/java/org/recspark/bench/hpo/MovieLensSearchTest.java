package org.recspark.bench.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.hpo.trial.TrialStatus;
import org.recspark.sampledata.RequiredSharedData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acceptance test on MovieLens-100K: within the example's budget (8 trials of 2
 * epochs, median stopping), the search finds a config whose validation AUC beats the default
 * hyper-parameters trained the same way. bench/RESULTS.md records the same run (bench/hpo-movielens).
 */
class MovieLensSearchTest {
    private static final Logger LOG = LoggerFactory.getLogger(MovieLensSearchTest.class);

    @Test
    void theSearchBeatsTheDefaultConfigsValidationAuc(@TempDir Path dir) {
        Path data = RequiredSharedData.movieLens100k("the HPO acceptance search (the search beats the default config)");
        MovieLensSearch search = new MovieLensSearch(searchConfig(), Optional.empty(), data, 2);
        MovieLensSearch.Comparison c = search.run(dir);
        LOG.info("MovieLens search:\n{}", MovieLensSearch.table(c, search.space().getParamsList().stream().map(p -> p.getPath()).toList()));
        assertEquals(8, c.search().trials().size());
        assertEquals(TrialStatus.COMPLETED, c.defaultRun().status(), c.defaultRun().toString());
        assertTrue(c.bestValidationAuc() > c.defaultValidationAuc(),
                "best " + c.bestValidationAuc() + " vs default " + c.defaultValidationAuc());
    }

    /** The example search; Surefire sets recspark.repo.root to the checkout, which is bench's parent otherwise. */
    private static Path searchConfig() {
        String root = System.getProperty("recspark.repo.root");
        Path checkout = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
        return checkout.resolve("examples/hpo/movielens_deepfm_search.pbtxt");
    }
}
