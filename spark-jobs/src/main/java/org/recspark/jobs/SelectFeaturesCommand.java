package org.recspark.jobs;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.recspark.config.ConfigException;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.FeatureGates.FeatureKeep;
import org.recspark.storage.Locations;
import org.recspark.trainer.eval.TopFeatures;
import org.recspark.trainer.plan.PipelinePlan;

/**
 * {@code recspark select-features --config C --ranking R --top-k K --out C2}: the config restricted
 * to the K best features of a training run's variational dropout ranking ({@link TopFeatures}),
 * planned in full ({@link PipelinePlan}, relative locations against C2's directory) before it is
 * written, so C2 validates and trains.
 */
final class SelectFeaturesCommand extends OptionCommand {
    SelectFeaturesCommand(PrintStream out) {
        super("select-features", "restrict a config to the top-K features of a variational dropout ranking", out,
                Set.of(ConfigOption.NAME, "ranking", "top-k", "out"), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark select-features --config CONFIG --ranking RANKING --top-k K --out OUT\n"
                + "  RANKING is the feature_ranking.csv a run with model_config.variational_dropout wrote into its model dir.\n"
                + "  Removes every ranked feature outside the top K from CONFIG's feature groups, turns variational_dropout off,\n"
                + "  checks the result as validate-config does (relative locations resolve against OUT's directory) and\n"
                + "  writes it to OUT in text format.";
    }

    @Override
    int run(CommandLine cl) throws IOException {
        ConfigOption configOption = ConfigOption.of(cl);
        PipelineConfig config = configOption.loadRequiring(" to select features of", "model_config");
        Path rankingFile = Locations.of(cl.required("ranking"));
        cl.required("top-k");
        int k = cl.positiveInt("top-k", 0);
        Path outFile = Locations.of(cl.required("out"));
        List<FeatureKeep> ranking = TopFeatures.read(rankingFile);
        TopFeatures.Selection selection;
        try {
            selection = TopFeatures.restrict(config, ranking, k);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--top-k " + k + ": " + e.getMessage());
        }
        PipelinePlan plan;
        try {
            plan = PipelinePlan.compile(selection.config(), Locations.parentOf(outFile));
        } catch (ConfigException e) {
            throw new ConfigException(outFile + " (restricted from " + configOption.file() + ")", e.violations());
        }
        Files.createDirectories(Locations.parentOf(outFile));
        Files.writeString(outFile, "# " + configOption.file() + " restricted by `recspark select-features` to the top " + k
                + " features of " + rankingFile + "\n" + TextFormat.printer().printToString(selection.config()), StandardCharsets.UTF_8);
        out.println("select-features: kept " + selection.kept() + ", removed " + selection.removed());
        out.println("select-features: " + outFile + ": OK (model " + plan.modelType() + " with " + plan.denseParameterCount()
                + " dense weights; variational_dropout off)");
        return 0;
    }
}
