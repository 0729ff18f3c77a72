package org.recspark.jobs;

import java.io.PrintStream;
import java.util.List;
import org.recspark.config.ConfigException;
import org.recspark.storage.Locations;
import org.recspark.trainer.plan.PipelinePlan;

/**
 * {@code recspark validate-config FILE...}: strict parse and the whole pre-flight plan
 * ({@link PipelinePlan}: features, model, optimizers, metrics), every problem listed, so a config
 * that passes does not fail later in training.
 */
final class ValidateConfigCommand extends Command {
    ValidateConfigCommand(PrintStream out) {
        super("validate-config",
                "check pipeline configs (text format or .json) and list every problem",
                out);
    }

    @Override
    String usage() {
        return "usage: recspark validate-config CONFIG [CONFIG...]";
    }

    @Override
    int run(List<String> args) {
        if (args.isEmpty()) {
            throw new UsageException("no config given");
        }
        int invalid = 0;
        for (String file : args) {
            try {
                PipelinePlan plan = PipelinePlan.load(Locations.of(file));
                out.println(file + ": OK" + describe(plan));
            } catch (ConfigException e) {
                out.println(e.getMessage());
                invalid++;
            }
        }
        return invalid == 0 ? 0 : 2;
    }

    private static String describe(PipelinePlan plan) {
        String features = plan.schema().size() + " features";
        if (!plan.hasModel()) {
            return " (" + features + ", no model)";
        }
        return " (" + features + "; model " + plan.modelType() + " with " + plan.parameters().size() + " parameters and tables, "
                + plan.denseParameterCount() + " dense weights; tasks " + plan.taskNames() + "; metrics " + plan.metricNames() + ")";
    }
}
