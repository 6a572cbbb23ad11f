package dev.neox4j.cli;

import dev.neox4j.engine.checkpoint.FileType;
import dev.neox4j.engine.checkpoint.GgufConverter;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code convert SRC OUT.gguf --type T}: writes a GGUF file from a transformers checkpoint or another GGUF file
 * ({@link GgufConverter}).
 */
@CommandLine.Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Writes a GGUF file of type T from a GPT-NeoX transformers checkpoint directory (config.json, "
                + "tokenizer.json, model.safetensors or pytorch_model.bin, sharded or not; F32, F16 or BF16) or "
                + "from another GGUF file, with the metadata and tokenizer llama.cpp expects. Quantized types use "
                + "llama-quantize's per-tensor choice (e.g. Q4_K_M: Q6_K LM head, Q5_K attn_qkv, Q6_K ffn_down in "
                + "some layers). OUT is written to a temporary file and renamed when complete.",
                "",
                "SRC is a checkpoint directory, a .gguf file, or an hf:// reference (downloaded into the Hugging "
                        + "Face cache first, as `pull` does).",
                "",
                "Types: F32 F16 BF16 Q8_0 Q6_K Q5_K_M Q5_K_S Q5_1 Q5_0 Q4_K_M Q4_K_S Q4_1 Q4_0 Q3_K_L Q3_K_M "
                        + "Q3_K_S Q2_K"},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:written; the output path is printed", "1:the conversion failed; the reason is printed",
                "2:invalid arguments"})
public class ConvertCommand implements Callable<Integer> {

    @CommandLine.Parameters(index = "0", paramLabel = "SRC", description = "checkpoint directory, .gguf file or hf:// reference")
    String source;

    @CommandLine.Parameters(index = "1", paramLabel = "OUT.gguf", description = "the GGUF file to write")
    Path output;

    @CommandLine.Option(names = {"-t", "--type"}, paramLabel = "T", defaultValue = "F16",
            description = "file type (default: ${DEFAULT-VALUE})")
    String type;

    @CommandLine.Mixin
    ThreadsOption threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        FileType fileType;
        try {
            fileType = FileType.parse(type);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--type: " + e.getMessage());
        }
        try {
            Path src = Commands.localModel(source);
            GgufConverter.Result r = GgufConverter.convert(src, output, fileType, threads.count());
            spec.commandLine().getOut().println(output.toAbsolutePath());
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().printf("convert: %s, %d tensors %s, %,d bytes in %d ms%n", fileType,
                    r.tensors(), r.typeCounts(), r.bytes(), r.millis());
            return 0;
        } catch (IOException | RuntimeException e) {
            return Commands.failed(spec, e);
        }
    }
}
