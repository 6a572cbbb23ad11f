package dev.neox4j.cli;

import dev.neox4j.config.HubSettingsFactory;
import dev.neox4j.hub.ModelResolver;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** What the commands share: resolving the model reference they are given, and reporting why they failed. */
final class Commands {

    private Commands() {
    }

    /**
     * The local path of a model reference: a path as it is, an {@code hf://} reference downloaded into the Hugging
     * Face cache first (with the Hub settings of the configuration and environment, as {@code pull} does).
     */
    static Path localModel(String reference) throws IOException {
        if (!ModelResolver.isHubReference(reference)) {
            return Path.of(reference);
        }
        try (ModelResolver resolver = ModelResolver.create(HubSettingsFactory.fromConfig())) {
            return resolver.resolve(reference);
        }
    }

    /**
     * Prints {@code "<command>: <reason>"} on the command's error stream.
     *
     * @return 1, the exit status of a command that failed
     */
    static int failed(CommandLine.Model.CommandSpec spec, Exception e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.name() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        err.flush();
        return 1;
    }
}
