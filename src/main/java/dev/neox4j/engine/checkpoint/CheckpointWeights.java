package dev.neox4j.engine.checkpoint;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Finds and maps the weight files of a checkpoint directory, in transformers' order of preference:
 * {@code model.safetensors.index.json} (sharded safetensors), {@code model.safetensors},
 * {@code pytorch_model.bin.index.json} (sharded torch archives), {@code pytorch_model.bin}. Shard names in an index
 * must be relative paths inside the directory: absolute names, {@code ..} segments, backslashes and NUL are
 * refused before any file is opened.
 */
final class CheckpointWeights {
    static final String SAFETENSORS = "model.safetensors";
    static final String TORCH = "pytorch_model.bin";
    static final String INDEX_SUFFIX = ".index.json";

    private CheckpointWeights() {
    }

    /**
     * Every tensor of the checkpoint by name, each a slice of a file mapped into {@code arena}; {@code serve}: the
     * weights will be read from the mappings for every token (then they are advised to use 2 MiB pages).
     */
    static Map<String, StoredTensor> open(Path dir, Arena arena, boolean serve) throws IOException {
        if (Files.isRegularFile(dir.resolve(SAFETENSORS + INDEX_SUFFIX))) {
            return sharded(dir, SAFETENSORS + INDEX_SUFFIX, arena, serve);
        }
        if (Files.isRegularFile(dir.resolve(SAFETENSORS))) {
            return SafetensorsFile.open(dir.resolve(SAFETENSORS), arena, serve);
        }
        if (Files.isRegularFile(dir.resolve(TORCH + INDEX_SUFFIX))) {
            return sharded(dir, TORCH + INDEX_SUFFIX, arena, serve);
        }
        if (Files.isRegularFile(dir.resolve(TORCH))) {
            return TorchCheckpointFile.open(dir.resolve(TORCH), arena, serve);
        }
        throw new CheckpointFormatException(dir + ": no weights (" + SAFETENSORS + ", " + SAFETENSORS + INDEX_SUFFIX
                + ", " + TORCH + " or " + TORCH + INDEX_SUFFIX + ")");
    }

    private static Map<String, StoredTensor> sharded(Path dir, String indexName, Arena arena, boolean serve)
            throws IOException {
        Map<String, Object> index = JsonFields.parseObject(Files.readString(dir.resolve(indexName)), indexName);
        Map<String, Object> weightMap = JsonFields.object(index, "weight_map", indexName);
        if (weightMap.isEmpty()) {
            throw new CheckpointFormatException(indexName + ": empty or missing weight_map");
        }
        Set<String> shards = new LinkedHashSet<>();
        for (Map.Entry<String, Object> e : weightMap.entrySet()) {
            if (!(e.getValue() instanceof String f)) {
                throw new CheckpointFormatException(indexName + ": weight_map entry '" + e.getKey()
                        + "' is not a file name");
            }
            shards.add(checkRelative(f, indexName));
        }
        boolean torch = indexName.startsWith(TORCH);
        Map<String, StoredTensor> all = new LinkedHashMap<>();
        for (String shard : shards) {
            Path p = dir.resolve(shard);
            if (!Files.isRegularFile(p)) {
                throw new CheckpointFormatException(indexName + ": shard '" + shard + "' is missing from " + dir);
            }
            Map<String, StoredTensor> tensors = torch ? TorchCheckpointFile.open(p, arena, serve)
                    : SafetensorsFile.open(p, arena, serve);
            for (Map.Entry<String, StoredTensor> t : tensors.entrySet()) {
                if (all.put(t.getKey(), t.getValue()) != null) {
                    throw new CheckpointFormatException(indexName + ": tensor '" + t.getKey()
                            + "' appears in more than one shard");
                }
            }
        }
        for (Map.Entry<String, Object> e : weightMap.entrySet()) {
            StoredTensor t = all.get(e.getKey());
            if (t == null || !t.file().getFileName().toString().equals(Path.of((String) e.getValue())
                    .getFileName().toString())) {
                throw new CheckpointFormatException(indexName + ": tensor '" + e.getKey() + "' is not in its shard '"
                        + e.getValue() + "'");
            }
        }
        return all;
    }

    /**
     * A shard name from an index file, checked to stay inside the checkpoint directory.
     *
     * @throws CheckpointFormatException for absolute paths, {@code ..} segments, backslashes, NUL or empty names
     */
    static String checkRelative(String name, String indexName) {
        boolean bad = name.isEmpty() || name.startsWith("/") || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0
                || name.matches("^[A-Za-z]:.*") || name.startsWith("~");
        for (String seg : name.split("/", -1)) {
            bad |= seg.equals("..") || seg.equals(".") || seg.isEmpty();
        }
        if (bad) {
            throw new CheckpointFormatException(indexName + ": refusing shard file name '" + name
                    + "' (it must be a relative path inside the checkpoint directory)");
        }
        return name;
    }
}
