package org.recspark.jobs;

import java.io.PrintStream;
import java.util.List;
import org.recspark.sampledata.SampleDataMain;

/** {@code recspark generate-sample --out DIR [...]}: the synthetic log generator. */
final class GenerateSampleCommand implements Command {
    private final PrintStream out;

    GenerateSampleCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "generate-sample";
    }

    @Override
    public String summary() {
        return "write a synthetic recommendation log of any size (see sample-data/README.md)";
    }

    @Override
    public String usage() {
        return SampleDataMain.usage();
    }

    @Override
    public int run(List<String> args) {
        try {
            out.println(SampleDataMain.run(args.toArray(String[]::new)));
            return 0;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
