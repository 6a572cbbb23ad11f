package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.gguf.GgufValue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens a model for serving from a transformers checkpoint directory, or requantizes a GGUF file, as a
 * {@link GgufFile} the engine loads like any GGUF file ({@link GgufFile#assemble}).
 *
 * <p>Served as stored, every weight stays a slice of its memory-mapped file, except the fused QKV tensors, whose
 * rows are de-interleaved into memory of their own (read with positional reads, a quarter of each layer). With a
 * {@link FileType}, each tensor gets the type llama-quantize would give it and is converted while loading, on a
 * small thread pool of its own; the source files' pages are read, not mapped, so resident memory after load is the
 * converted model. The returned file owns every mapping and buffer: closing it releases them.
 */
public final class CheckpointLoader {
    private static final System.Logger LOG = System.getLogger(CheckpointLoader.class.getName());

    private CheckpointLoader() {
    }

    /** Whether {@code path} is a directory holding a {@code config.json} (a transformers checkpoint). */
    public static boolean isCheckpointDirectory(Path path) {
        return Files.isDirectory(path) && Files.isRegularFile(path.resolve(HfConfig.FILE));
    }

    /**
     * Loads checkpoint directory {@code dir}.
     *
     * @param quantize file type to quantize to while loading, or {@code null} to serve the weights as stored
     * @param threads  threads for the conversion ({@code 0} = available processors)
     * @throws CheckpointFormatException naming the file and the defect when the checkpoint is unusable
     */
    public static GgufFile load(Path dir, FileType quantize, int threads) throws IOException {
        long t0 = System.nanoTime();
        Arena arena = Arena.ofShared();
        try {
            ModelPlan plan = CheckpointPlanner.plan(dir, arena, quantize == null);
            GgufFile file = assemble(plan, quantize, threads, arena, dir, true);
            LOG.log(System.Logger.Level.INFO, String.format("read checkpoint %s (%s) in %.0f ms", dir,
                    quantize == null ? "weights as stored" : "quantized to " + quantize,
                    (System.nanoTime() - t0) / 1e6));
            return file;
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }

    /**
     * Requantizes GGUF file {@code gguf} to {@code quantize} in memory (every tensor is copied; the file is closed
     * before this returns).
     */
    public static GgufFile requantize(Path gguf, FileType quantize, int threads) throws IOException {
        Arena arena = Arena.ofShared();
        try (GgufFile src = GgufFile.open(gguf)) {
            return assemble(ModelPlan.fromGguf(src), quantize, threads, arena, gguf, false);
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }

    private static GgufFile assemble(ModelPlan plan, FileType quantize, int threads, Arena arena, Path path,
                                     boolean allowViews) throws IOException {
        List<GgufTensorInfo> infos = new ArrayList<>();
        Map<String, MemorySegment> data = new LinkedHashMap<>();
        GgmlType stored = null;
        long offset = 0;
        try (TensorTranscoder tx = new TensorTranscoder(threads > 0 ? threads
                : Runtime.getRuntime().availableProcessors())) {
            for (SourceTensor s : plan.tensors()) {
                GgmlType target = quantize == null ? s.type()
                        : quantize.tensorType(s.name(), s.nDims(), s.ne()[0], plan.nLayer());
                MemorySegment seg = tx.materialize(s, target, arena, allowViews);
                infos.add(new GgufTensorInfo(s.name(), target, s.ne(), offset, seg.byteSize()));
                data.put(s.name(), seg);
                offset += seg.byteSize();
                if (s.name().equals("token_embd.weight")) {
                    stored = s.type();
                }
            }
        }
        Map<String, GgufValue> kv = new LinkedHashMap<>(plan.metadata().entries());
        FileType label = quantize != null ? quantize : stored == null ? null : switch (stored) {
            case F32 -> FileType.F32;
            case F16 -> FileType.F16;
            case BF16 -> FileType.BF16;
            default -> null;
        };
        if (label != null) {
            kv.put(ModelPlan.KEY_FILE_TYPE, GgufValue.uint32(label.id));
        }
        return GgufFile.assemble(path, arena, GgufMetadata.of(plan.metadata().source(), kv), infos, data);
    }
}
