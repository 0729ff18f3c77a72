package org.recspark.bench.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchAlgorithm;
import org.recspark.config.proto.SearchSpace;
import org.recspark.hpo.SearchSpaceFile;
import org.recspark.hpo.space.ParameterSpace;

/**
 * The search space of bench/hpo-tpe-vs-random, with the script's placeholders filled in as it fills
 * them, builds over examples/movielens_samples.pbtxt, and that config's own hyper-parameters (the
 * bench's default run) are a point of it: the default is one of the configs both searches could try.
 */
class TpeVsRandomSpaceTest {
    @TempDir
    Path dir;

    @Test
    void theSpaceBuildsOverTheMovieLensSamplesConfigAndContainsItsDefaults() throws IOException {
        Path checkout = checkout();
        PipelineConfig base = ConfigParser.load(checkout.resolve("examples/movielens_samples.pbtxt"));
        String template = Files.readString(checkout.resolve("bench/hpo-tpe-vs-random.space.txtpb"));
        for (String algorithm : new String[]{"RANDOM", "TPE"}) {
            Path file = dir.resolve(algorithm + ".txtpb");
            Files.writeString(file, template.replace("@ALGORITHM@", algorithm).replace("@TRIALS@", "12").replace("@SEED@", "3"));
            SearchSpace search = SearchSpaceFile.load(file, base);
            assertEquals(SearchAlgorithm.valueOf(algorithm), search.getAlgorithm());
            assertEquals(12, search.getMaxTrials());
            assertEquals(3, search.getSeed());
            ParameterSpace space = ParameterSpace.of(search, base);
            double[] defaults = space.parse(Map.of(
                    "train_config.dense_optimizer.learning_rate.initial", "0.0001",
                    "train_config.sparse_optimizer.learning_rate.initial", "0.0001",
                    "model_config.deepfm.dnn.hidden_units", "[256, 128]",
                    "model_config.deepfm.dnn.dropout", "0"));
            // dropout is unset in the example, i.e. its declared default 0, which a trial sets explicitly
            PipelineConfig.Builder expected = base.toBuilder().clearHpoConfig();
            expected.getModelConfigBuilder().getDeepfmBuilder().getDnnBuilder().setDropout(0);
            assertEquals(expected.build(), space.configFor(base, defaults), "the example's values are a point of the space");
        }
    }

    /** Surefire sets recspark.repo.root to the checkout, which is bench's parent otherwise. */
    private static Path checkout() {
        String root = System.getProperty("recspark.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }
}
