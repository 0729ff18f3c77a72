package org.recspark.jobs;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * A command whose arguments are {@code --name value} options and {@code --name} flags only: they
 * are declared once here and parsed strictly ({@link CommandLine}) before {@link #run(CommandLine)}.
 */
abstract class OptionCommand extends Command {
    private final Set<String> options;
    private final Set<String> flags;

    /**
     * @param options the options that take a value
     * @param flags   the options without a value
     */
    protected OptionCommand(String name, String summary, PrintStream out, Set<String> options, Set<String> flags) {
        super(name, summary, out);
        this.options = Set.copyOf(options);
        this.flags = Set.copyOf(flags);
    }

    @Override
    final int run(List<String> args) throws Exception {
        return run(CommandLine.parse(args, options, flags));
    }

    /** Runs the command on its parsed options; returns the process exit code. */
    abstract int run(CommandLine options) throws Exception;
}
