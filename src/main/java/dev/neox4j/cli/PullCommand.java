package dev.neox4j.cli;

import dev.neox4j.config.HubSettingsFactory;
import dev.neox4j.hub.ModelResolver;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code pull REF}: downloads a model into the Hugging Face cache, with progress, and prints its local path. */
@CommandLine.Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Downloads a model into the Hugging Face cache, with progress on the console, and",
                "prints its local path on standard output.",
                "",
                "REF is one of:",
                "  hf://OWNER/REPO[@REVISION]/PATH.gguf  one GGUF file",
                "  hf://OWNER/REPO[@REVISION]:QUANT      the GGUF file whose name carries QUANT",
                "                                        (case-insensitive)",
                "  hf://OWNER/REPO[@REVISION]            a transformers checkpoint (config.json,",
                "                                        tokenizer.json, weights): prints its",
                "                                        snapshot directory",
                "  PATH                                  a local .gguf file or checkpoint",
                "                                        directory: printed as it is",
                "",
                "Environment: HF_ENDPOINT, HF_TOKEN (else HUGGING_FACE_HUB_TOKEN or",
                "$HF_HOME/token), HF_HUB_OFFLINE=1, HF_HUB_CACHE (else $HF_HOME/hub, else",
                "~/.cache/huggingface/hub)."},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:downloaded (or already cached); the path is printed",
                "1:the model could not be resolved; the reason is printed",
                "2:invalid arguments"})
public class PullCommand implements Callable<Integer> {

    @CommandLine.Parameters(paramLabel = "REF", description = "the model reference")
    String reference;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (ModelResolver resolver = ModelResolver.create(HubSettingsFactory.fromConfig())) {
            Path path = resolver.resolve(reference);
            spec.commandLine().getOut().println(path.toAbsolutePath());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (IOException e) {
            return Commands.failed(spec, e);
        }
    }
}
