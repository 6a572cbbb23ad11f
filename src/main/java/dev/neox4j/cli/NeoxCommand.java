package dev.neox4j.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;

/**
 * The commands of {@code quarkus-run.jar} (the jar serves when it gets no argument). Each command is a picocli
 * {@code @Command} class in this package whose work sits in plain classes of its own area; register it in
 * {@code subcommands} below.
 */
@TopCommand
@CommandLine.Command(name = "neox4j", mixinStandardHelpOptions = true, versionProvider = NeoxCommand.Version.class,
        description = {"neox4j: GPT-NeoX / Pythia inference server and tools.",
                "Without arguments the jar serves the model of neox.model (NEOX_MODEL) on",
                "port 8080. With a command it runs that command without binding a port or",
                "loading the served model."},
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
                PullCommand.class,
                ConvertCommand.class,
                PerplexityCommand.class,
                CommandLine.HelpCommand.class
        })
public class NeoxCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = NeoxCommand.class.getPackage().getImplementationVersion();
            return new String[] {"neox4j " + (v == null ? "(development build)" : v)};
        }
    }
}
