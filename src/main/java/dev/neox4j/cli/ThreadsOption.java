package dev.neox4j.cli;

import picocli.CommandLine;

/**
 * The {@code --threads N} option of the commands that compute ({@code convert}, {@code perplexity}), as a picocli
 * mixin: worker threads, 0 for all processors; a negative count is refused (exit status 2) before the command runs.
 */
public class ThreadsOption {

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    private int threads;

    @CommandLine.Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "worker threads (default: 0, all processors)")
    void threads(int n) {
        if (n < 0) {
            throw new CommandLine.ParameterException(command.commandLine(), "--threads must be >= 0, got " + n);
        }
        threads = n;
    }

    /** The worker threads asked for, 0 for all processors. */
    public int count() {
        return threads;
    }
}
