package dev.neox4j.hub;

import dev.neox4j.engine.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which files of a transformers checkpoint repository neox4j needs: {@code config.json}, {@code tokenizer.json},
 * the small tokenizer/generation settings when present, and the weights: {@code model.safetensors}, else the
 * shards of {@code model.safetensors.index.json}, else {@code pytorch_model.bin}, else the shards of
 * {@code pytorch_model.bin.index.json}.
 */
final class CheckpointFiles {

    static final String CONFIG = "config.json";
    static final String TOKENIZER = "tokenizer.json";
    static final List<String> OPTIONAL = List.of("tokenizer_config.json", "special_tokens_map.json",
            "generation_config.json");
    /** Weight files in order of preference; an {@code .index.json} names shards. */
    static final List<String> WEIGHTS = List.of("model.safetensors", "model.safetensors.index.json",
            "pytorch_model.bin", "pytorch_model.bin.index.json");

    private CheckpointFiles() {
    }

    /**
     * The settings files and the weights entry (a weights file or an index) to fetch.
     *
     * @throws HubException when the repository is not a checkpoint neox4j can load, listing what it holds
     */
    static List<String> select(String where, List<String> files) throws HubException {
        List<String> missing = new ArrayList<>();
        for (String required : List.of(CONFIG, TOKENIZER)) {
            if (!files.contains(required)) {
                missing.add(required);
            }
        }
        String weights = WEIGHTS.stream().filter(files::contains).findFirst().orElse(null);
        if (weights == null) {
            missing.add("weights (" + String.join(", ", WEIGHTS) + ")");
        }
        if (!missing.isEmpty()) {
            List<String> quants = QuantTag.available(files);
            throw new HubException(HubException.Kind.NOT_FOUND, where + " is not a transformers checkpoint "
                    + "neox4j can load: no " + String.join(", ", missing) + ". Files: " + HubClient.list(files)
                    + (quants.isEmpty() ? "" : ". It holds GGUF files: name one with " + where + ":QUANT (quants: "
                    + String.join(", ", quants) + ") or " + where + "/FILE.gguf"));
        }
        List<String> selected = new ArrayList<>(List.of(CONFIG, TOKENIZER));
        OPTIONAL.stream().filter(files::contains).forEach(selected::add);
        selected.add(weights);
        return selected;
    }

    /** Whether {@code file} is a shard index. */
    static boolean isIndex(String file) {
        return file.endsWith(".index.json");
    }

    /**
     * The shard files a {@code *.index.json} names in its {@code weight_map}, each checked as a safe name.
     *
     * @throws HubException for invalid JSON, no weight map, or a hostile shard name
     */
    static List<String> shards(String indexName, String json) throws HubException {
        Object map;
        try {
            map = Json.member(Json.parse(json), "weight_map");
        } catch (IllegalArgumentException e) {
            throw new HubException(HubException.Kind.PROTOCOL, indexName + ": " + e.getMessage());
        }
        if (!(map instanceof Map<?, ?> weightMap) || weightMap.isEmpty()) {
            throw new HubException(HubException.Kind.PROTOCOL, indexName + " has no weight_map");
        }
        TreeSet<String> shards = new TreeSet<>();
        for (Object v : weightMap.values()) {
            if (!(v instanceof String shard)) {
                throw new HubException(HubException.Kind.PROTOCOL, indexName + ": a weight_map value is not a "
                        + "file name");
            }
            shards.add(RepoFilePath.check(shard));
        }
        return List.copyOf(shards);
    }
}
