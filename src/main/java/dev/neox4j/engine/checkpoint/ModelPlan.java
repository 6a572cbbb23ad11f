package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.gguf.GgufMetadata;
import dev.neox4j.engine.gguf.GgufTensorInfo;
import dev.neox4j.engine.model.NeoxHParams;

import java.util.ArrayList;
import java.util.List;

/**
 * A GPT-NeoX model as GGUF would hold it, before any tensor is converted: the metadata keys and, per tensor, where
 * its values are ({@link SourceTensor}). Made from a transformers checkpoint by {@link CheckpointPlanner} or from a
 * GGUF file by {@link #fromGguf}; turned into a servable model by {@link CheckpointLoader} or into a file by
 * {@link GgufConverter}.
 *
 * @param source   what the plan was made from, for messages
 * @param metadata the model's keys (architecture, hyper-parameters, tokenizer); no {@code general.file_type}
 * @param tensors  the tensors in GGUF order
 * @param nLayer   number of transformer blocks (for the quantization mix)
 */
record ModelPlan(String source, GgufMetadata metadata, List<SourceTensor> tensors, int nLayer) {

    static final String KEY_FILE_TYPE = "general.file_type";
    static final String KEY_QUANTIZATION_VERSION = "general.quantization_version";

    ModelPlan {
        tensors = List.copyOf(tensors);
    }

    /** The plan of an open GGUF file: its metadata and tensors as they are (for requantizing it). */
    static ModelPlan fromGguf(GgufFile file) {
        if (file.path() == null) {
            throw new IllegalArgumentException(file.fileName() + ": not a file on disk");
        }
        List<SourceTensor> tensors = new ArrayList<>();
        for (GgufTensorInfo t : file.tensors()) {
            long ne0 = t.ne(0);
            tensors.add(new SourceTensor(t.name(), t.ne(), t.type(), file.data(t), file.path(),
                    file.absoluteOffset(t), t.elements() / Math.max(1, ne0), ne0, null));
        }
        int nLayer = file.metadata().getInt(NeoxHParams.ARCHITECTURE + ".block_count", 0);
        return new ModelPlan(file.fileName(), file.metadata(), tensors, nLayer);
    }
}
