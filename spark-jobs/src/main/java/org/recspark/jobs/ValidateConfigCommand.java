package org.recspark.jobs;

import java.io.PrintStream;
import java.util.List;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.storage.Locations;

/** {@code recspark validate-config FILE...}: strict parse and validation, every problem listed. */
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
                ConfigParser.load(Locations.of(file));
                out.println(file + ": OK");
            } catch (ConfigException e) {
                out.println(e.getMessage());
                invalid++;
            }
        }
        return invalid == 0 ? 0 : 2;
    }
}
