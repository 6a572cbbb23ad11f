package dev.neox4j.engine.runtime;

import dev.neox4j.engine.gguf.GgmlType;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.model.NeoxHParams;
import dev.neox4j.engine.model.NeoxModel;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/** Builds the {@link ModelInfo} of a loaded file. */
final class ModelInfos {
    /** Model id of the built-in demo model. */
    static final String DEMO_ID = "neox4j-demo";

    private ModelInfos() {
    }

    static ModelInfo describe(GgufFile file, NeoxModel model, int contextLength, boolean demo) {
        NeoxHParams hp = model.hparams();
        String fileName = file.fileName();
        String id = demo ? DEMO_ID
                : fileName.toLowerCase(Locale.ROOT).endsWith(".gguf")
                ? fileName.substring(0, fileName.length() - 5) : fileName;
        String name = file.metadata().getString("general.name", id);
        long params = 0;
        for (GgufTensorInfo t : file.tensors()) {
            params += t.elements();
        }
        return new ModelInfo(id, NeoxHParams.ARCHITECTURE, name, file.path(), params, quantType(file),
                contextLength, hp.contextLength(), hp.vocabSize(), hp.embeddingLength(), hp.blockCount(),
                hp.headCount(), file.fileSize(), demo);
    }

    /** The file type label from {@code general.file_type} (llama.cpp's llama_ftype), else the dominant type. */
    static String quantType(GgufFile file) {
        int ftype = file.metadata().has("general.file_type") ? safeInt(file) : -1;
        String label = switch (ftype) {
            case 0 -> "F32";
            case 1 -> "F16";
            case 2 -> "Q4_0";
            case 3 -> "Q4_1";
            case 7 -> "Q8_0";
            case 8 -> "Q5_0";
            case 9 -> "Q5_1";
            case 10 -> "Q2_K";
            case 11 -> "Q3_K_S";
            case 12 -> "Q3_K_M";
            case 13 -> "Q3_K_L";
            case 14 -> "Q4_K_S";
            case 15 -> "Q4_K_M";
            case 16 -> "Q5_K_S";
            case 17 -> "Q5_K_M";
            case 18 -> "Q6_K";
            case 32 -> "BF16";
            default -> null;
        };
        if (label != null) {
            return label;
        }
        Map<GgmlType, Long> elements = new EnumMap<>(GgmlType.class);
        for (GgufTensorInfo t : file.tensors()) {
            if (t.nDims() >= 2) {
                elements.merge(t.type(), t.elements(), Long::sum);
            }
        }
        return elements.entrySet().stream().max(Map.Entry.comparingByValue()).map(e -> e.getKey().name())
                .orElse("unknown");
    }

    private static int safeInt(GgufFile file) {
        try {
            return file.metadata().getInt("general.file_type");
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
