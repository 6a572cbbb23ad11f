package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a GGUF file of a given {@link FileType} from a transformers checkpoint directory or from another GGUF file:
 * the metadata llama.cpp expects (architecture {@code gptneox}, its hyper-parameter keys, {@code general.file_type},
 * {@code general.quantization_version}, the tokenizer keys), every tensor in the type llama-quantize would choose.
 * Tensors are converted one at a time while the file is written, so memory holds at most one converted tensor; the
 * output is written to a temporary file next to {@code out} and moved into place only when complete, so a failed
 * conversion leaves no partial {@code out}.
 */
public final class GgufConverter {
    private static final System.Logger LOG = System.getLogger(GgufConverter.class.getName());
    private static final int COPY_CHUNK = 1 << 20;

    private GgufConverter() {
    }

    /**
     * What a conversion wrote.
     *
     * @param tensors    number of tensors
     * @param bytes      size of the output file
     * @param typeCounts tensors per ggml type
     * @param millis     wall time
     */
    public record Result(int tensors, long bytes, Map<GgmlType, Integer> typeCounts, long millis) {
    }

    /**
     * Converts {@code src} (a checkpoint directory or a {@code .gguf} file) into {@code out}.
     *
     * @param threads conversion threads ({@code 0} = available processors)
     * @throws CheckpointFormatException             when the source checkpoint is unusable
     * @throws dev.neox4j.engine.gguf.GgufFormatException when the source GGUF file is unusable
     * @throws IOException                           when reading or writing fails (then {@code out} is untouched)
     */
    public static Result convert(Path src, Path out, FileType type, int threads) throws IOException {
        Objects.requireNonNull(type, "type");
        long t0 = System.nanoTime();
        if (Files.exists(out) && Files.exists(src) && Files.isSameFile(src, out)) {
            throw new IllegalArgumentException(out + ": the output must differ from the source");
        }
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        try (Arena arena = Arena.ofShared(); TensorTranscoder tx = new TensorTranscoder(n)) {
            if (Files.isDirectory(src)) {
                return write(CheckpointPlanner.plan(src, arena, false), out, type, tx, t0);
            }
            try (GgufFile gguf = GgufFile.open(src)) {
                return write(ModelPlan.fromGguf(gguf), out, type, tx, t0);
            }
        }
    }

    /** Writes {@code plan} as a file of {@code type} (the tensors are converted while the file is written). */
    static Result write(ModelPlan plan, Path out, FileType type, TensorTranscoder tx, long t0)
            throws IOException {
        GgufWriter w = new GgufWriter();
        w.putAll(plan.metadata(), (k, v) -> !k.equals(ModelPlan.KEY_FILE_TYPE)
                && !k.equals(ModelPlan.KEY_QUANTIZATION_VERSION) && !k.equals("general.alignment"));
        w.putUInt32(ModelPlan.KEY_FILE_TYPE, type.id);
        w.putUInt32(ModelPlan.KEY_QUANTIZATION_VERSION, 2);
        Map<GgmlType, Integer> counts = new EnumMap<>(GgmlType.class);
        for (SourceTensor s : plan.tensors()) {
            GgmlType target = type.tensorType(s.name(), s.nDims(), s.ne()[0], plan.nLayer());
            counts.merge(target, 1, Integer::sum);
            w.addTensor(s.name(), target, s.ne(), os -> {
                try (Arena a = Arena.ofShared()) {
                    copy(tx.materialize(s, target, a, true), os);
                }
            });
        }
        w.write(out);
        long bytes = Files.size(out);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.log(System.Logger.Level.INFO, "wrote {0}: {1}, {2} tensors {3}, {4} bytes in {5} ms", out, type,
                plan.tensors().size(), counts, bytes, ms);
        return new Result(plan.tensors().size(), bytes, counts, ms);
    }

    private static void copy(MemorySegment seg, OutputStream os) throws IOException {
        byte[] buf = new byte[(int) Math.min(COPY_CHUNK, seg.byteSize())];
        for (long off = 0; off < seg.byteSize(); off += buf.length) {
            int len = (int) Math.min(buf.length, seg.byteSize() - off);
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, off, buf, 0, len);
            os.write(buf, 0, len);
        }
    }
}
