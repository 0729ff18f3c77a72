package org.recspark.jobs;

import java.io.PrintStream;
import java.util.List;
import org.recspark.sampledata.SampleDataMain;

/** {@code recspark generate-sample --out DIR [...]}: the synthetic log generator. */
final class GenerateSampleCommand extends Command {
    GenerateSampleCommand(PrintStream out) {
        super("generate-sample",
                "write a synthetic recommendation log of any size (see sample-data/README.md)",
                out);
    }

    @Override
    String usage() {
        return SampleDataMain.usage();
    }

    @Override
    int run(List<String> args) {
        try {
            out.println(SampleDataMain.run(args.toArray(String[]::new)));
            return 0;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
