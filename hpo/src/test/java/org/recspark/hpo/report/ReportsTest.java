package org.recspark.hpo.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.Constraints;
import org.recspark.config.proto.Direction;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.hpo.Objective;
import org.recspark.hpo.RepoFiles;
import org.recspark.hpo.space.ParameterSpace;
import org.recspark.hpo.space.ParameterSpaceFixture;
import org.recspark.hpo.stopping.LearningCurve;
import org.recspark.hpo.trial.TrialOutcome;
import org.recspark.hpo.trial.TrialRecord;
import org.recspark.hpo.trial.TrialStatus;

class ReportsTest {
    @TempDir
    Path dir;

    private static TrialRecord trial(int n, Map<String, String> params, double objective, String error) {
        TrialStatus status = Double.isNaN(objective) ? TrialStatus.FAILED : TrialStatus.COMPLETED;
        return new TrialRecord(n, params, new TrialOutcome(status, objective, LearningCurve.empty(), 10, 1.5,
                status == TrialStatus.FAILED ? null : "completed", error, "trials/trial-" + n));
    }

    @Test
    void importanceIsTheShareOfVarianceEachParametersBinsExplain() {
        ParameterSpace space = ParameterSpace.of(ParameterSpaceFixture.space("""
                params { path: "model_config.deepfm.dnn.activation" choices { values: ["RELU", "TANH", "GELU"] } }
                params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 0.5 } }
                """), ParameterSpaceFixture.BASE);
        SplittableRandom random = new SplittableRandom(1);
        List<TrialRecord> trials = new ArrayList<>();
        String[] activations = {"RELU", "TANH", "GELU"};
        for (int i = 0; i < 30; i++) {
            String activation = activations[i % 3];
            double dropout = random.nextDouble() * 0.5;
            double auc = 0.7 + (i % 3) * 0.02 + random.nextDouble() * 0.002;
            trials.add(trial(i, Map.of("model_config.deepfm.dnn.activation", activation,
                    "model_config.deepfm.dnn.dropout", space.dimensions().get(1).text(dropout)), auc, null));
        }
        trials.add(trial(30, Map.of("model_config.deepfm.dnn.activation", "RELU", "model_config.deepfm.dnn.dropout", "0.1"), Double.NaN, "x"));
        Map<String, Double> importance = ParameterImportance.compute(space, trials);
        assertEquals(List.of("model_config.deepfm.dnn.activation", "model_config.deepfm.dnn.dropout"), List.copyOf(importance.keySet()));
        assertTrue(importance.get("model_config.deepfm.dnn.activation") > 0.95, importance.toString());
        assertTrue(importance.get("model_config.deepfm.dnn.dropout") < 0.2, importance.toString());
        assertTrue(ParameterImportance.compute(space, trials.subList(0, 2)).isEmpty(), "too few trials");
    }

    @Test
    void theResultsTableQuotesCellsAsCsvDoes() throws IOException {
        ParameterSpace space = ParameterSpace.of(ParameterSpaceFixture.space("""
                params { path: "model_config.deepfm.dnn.hidden_units" choices { values: ["[64, 32]", "[8]"] } }
                """), ParameterSpaceFixture.BASE);
        Path csv = ResultsTable.write(dir.resolve("results.csv"), space.dimensions(), new Objective("auc", Direction.MAXIMIZE), List.of(
                trial(0, Map.of("model_config.deepfm.dnn.hidden_units", "[64, 32]"), 0.71234567, null),
                trial(1, Map.of("model_config.deepfm.dnn.hidden_units", "[8]"), Double.NaN, "a: must be \"x\", got y")));
        assertEquals(List.of("trial,model_config.deepfm.dnn.hidden_units,auc,status,seconds,steps,stop_reason,error,run_dir",
                "0,\"[64, 32]\",0.712346,COMPLETED,1.5,10,completed,,trials/trial-0",
                "1,[8],,FAILED,1.5,10,,\"a: must be \"\"x\"\", got y\",trials/trial-1"), Files.readAllLines(csv));
    }

    @Test
    void everyPathFieldOfTheSchemaIsMadeAbsoluteInTheBestConfig() throws IOException {
        Set<String> found = new TreeSet<>();
        collectPathLikeFields(PipelineConfig.getDescriptor(), new HashSet<>(), found);
        Set<String> declared = new TreeSet<>();
        collectLocationFields(PipelineConfig.getDescriptor(), new HashSet<>(), declared);
        assertEquals(found, declared, "a new path field in the schema is marked (check) = { location: true }");

        Path sample = RepoFiles.examples("sample_pipeline.pbtxt");
        PipelineConfig config = ConfigParser.load(sample);
        Path written = BestConfigWriter.write(config, sample.getParent(), dir.resolve("best.pbtxt"), List.of("a header"));
        PipelineConfig loaded = ConfigParser.load(written);
        assertEquals(sample.getParent().resolve("../sample-data/small/impressions.csv").normalize().toString(),
                loaded.getInputConfig().getSamples().getSource().getPath());
        assertEquals(sample.getParent().resolve("target/sample_ctr").normalize().toString(), loaded.getRuntimeConfig().getModelDir());
        assertTrue(!loaded.hasHpoConfig());
        assertEquals(config.getFeatureConfig(), loaded.getFeatureConfig());
        assertTrue(Files.readString(written).startsWith("# a header\n"));
        assertEquals(List.of(sample.getParent().toString(), sample.getParent().resolve("../sample-data/").normalize().toString()),
                loaded.getAllowedPathsList(), "the best config reaches what the original config reached");
    }

    private static void collectLocationFields(Descriptor type, Set<String> visited, Set<String> out) {
        if (type.getFullName().equals("recspark.config.SearchSpace") || !visited.add(type.getFullName())) {
            return;
        }
        for (FieldDescriptor f : type.getFields()) {
            if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                collectLocationFields(f.getMessageType(), visited, out);
            } else if (f.getOptions().getExtension(Constraints.check).getLocation()) {
                out.add(type.getFullName() + "." + f.getName());
            }
        }
    }

    /**
     * String fields whose names say they hold a path: *path, *_file, *_dir, *_from; hpo_config is
     * left out (its paths are config field paths, and the best config drops it).
     */
    private static void collectPathLikeFields(Descriptor type, Set<String> visited, Set<String> out) {
        if (type.getFullName().equals("recspark.config.SearchSpace") || !visited.add(type.getFullName())) {
            return;
        }
        for (FieldDescriptor f : type.getFields()) {
            if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                collectPathLikeFields(f.getMessageType(), visited, out);
            } else if (f.getJavaType() == FieldDescriptor.JavaType.STRING && f.getName().matches(".*(path|_file|_dir|_from)$")) {
                out.add(type.getFullName() + "." + f.getName());
            }
        }
    }
}
