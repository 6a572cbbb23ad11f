package dev.neox4j.cli;

import dev.neox4j.engine.runtime.Perplexity;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code perplexity MODEL TEXTFILE [--ctx N] [--batch N]}: the perplexity of a text, computed as llama-perplexity
 * computes it, so the figures compare directly ({@link PerplexityRunner}).
 */
@CommandLine.Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = {"Perplexity of a text file, computed exactly as llama-perplexity does: the text is tokenized "
                + "once and cut into chunks of --ctx tokens; each chunk is evaluated from an empty context, its "
                + "first half is context and every token of its second half is scored. Prints the running "
                + "estimate after each chunk ([1]x,[2]y,...) and 'Final estimate: PPL = x +/- y'.",
                "",
                "MODEL is a .gguf file, a checkpoint directory or an hf:// reference (see pull)."},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:computed", "1:the model or the text could not be read, or the text is too short",
                "2:invalid arguments"})
public class PerplexityCommand implements Callable<Integer> {

    @CommandLine.Parameters(index = "0", paramLabel = "MODEL", description = "the model")
    String model;

    @CommandLine.Parameters(index = "1", paramLabel = "TEXTFILE", description = "the text (UTF-8)")
    Path text;

    @CommandLine.Option(names = "--ctx", paramLabel = "N", defaultValue = "" + Perplexity.DEFAULT_CONTEXT,
            description = "tokens per chunk (default: ${DEFAULT-VALUE}, as llama-perplexity)")
    int ctx;

    @CommandLine.Option(names = "--batch", paramLabel = "N", defaultValue = "2048",
            description = "tokens per forward pass; batch/ctx chunks run at once (default: ${DEFAULT-VALUE})")
    int batch;

    @CommandLine.Mixin
    ThreadsOption threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            Path path = Commands.localModel(model);
            new PerplexityRunner(spec.commandLine().getOut(), spec.commandLine().getErr())
                    .run(path, text, ctx, batch, threads.count());
            return 0;
        } catch (IllegalArgumentException | IOException e) {
            return Commands.failed(spec, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
