package dev.neox4j.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.InspectRequest;
import dev.neox4j.engine.runtime.ModelInfo;
import dev.neox4j.engine.runtime.PromptTokens;
import dev.neox4j.engine.sampling.Logprobs;

/**
 * Reads a {@code POST /v1/inspect} body into an {@link InspectRequest} and applies the {@link InspectLimits}: a
 * request beyond one of them is a 400 whose message names the {@code neox.inspect.*} key.
 */
public final class InspectParser {

    /** Lens candidates per position when {@code logit_lens} gives no {@code top_k}. */
    public static final int DEFAULT_TOP_K = 5;

    private final Engine engine;
    private final InspectLimits limits;

    public InspectParser(Engine engine, InspectLimits limits) {
        this.engine = engine;
        this.limits = limits;
    }

    /** The engine request for {@code f} (whose {@code model} has been checked). */
    public InspectRequest parse(JsonFields f) {
        ModelInfo info = engine.modelInfo();
        int[] prompt = prompt(f);
        if (prompt.length > limits.maxTokens()) {
            throw ApiException.badRequest("prompt", "the prompt has " + prompt.length + " tokens; inspection is "
                    + "limited to " + limits.maxTokens() + " (neox.inspect.max-tokens)");
        }
        int topK = 0;
        JsonFields lens = f.object("logit_lens");
        if (lens != null) {
            JsonNode k = lens.get("top_k");
            if (k != null && (!k.isIntegralNumber() || k.asLong() < 1 || k.asLong() > Logprobs.MAX_TOP)) {
                throw ApiException.badRequest("logit_lens.top_k", "'logit_lens.top_k' must be an integer in 1.."
                        + Logprobs.MAX_TOP + ", got " + k);
            }
            topK = k == null ? DEFAULT_TOP_K : k.intValue();
        }
        int[] hidden = layers(f, "hidden_states", info.layers());
        int[] attention = layers(f, "attention", info.layers() - 1);
        if (hidden.length + attention.length > limits.maxLayers()) {
            throw ApiException.badRequest(hidden.length > 0 ? "hidden_states.layers" : "attention.layers",
                    "the request asks for " + hidden.length + " hidden-state layers and " + attention.length
                            + " attention layers; at most " + limits.maxLayers()
                            + " together are allowed (neox.inspect.max-layers)");
        }
        long bytes = InspectLimits.estimateBytes(prompt.length, info.embeddingLength(), info.heads(), info.layers(),
                topK, hidden.length, attention.length);
        if (bytes > limits.maxResponseBytes()) {
            throw ApiException.badRequest(null, "the response would take about " + bytes + " bytes; at most "
                    + limits.maxResponseBytes() + " are allowed (neox.inspect.max-response-bytes): ask for fewer "
                    + "layers or tokens");
        }
        return new InspectRequest(prompt, topK, hidden, attention, 0, "inspect");
    }

    private int[] prompt(JsonFields f) {
        JsonNode node = f.get("prompt");
        boolean parseSpecial = f.bool("parse_special", PromptTokens.PARSE_SPECIAL);
        if (node == null || node.isTextual()) {
            return PromptTokens.encode(engine.tokenizer(), node == null ? "" : node.textValue(), parseSpecial);
        }
        if (node.isArray() && !node.isEmpty()) {
            int vocab = Math.min(engine.modelInfo().vocabSize(), engine.tokenizer().vocabSize());
            return JsonFields.tokenIds("prompt", node, vocab);
        }
        throw ApiException.badRequest("prompt", "'prompt' must be a string or a non-empty list of token ids, got "
                + (node.isArray() ? "an empty list" : JsonFields.kind(node)));
    }

    /** The {@code layers} of the object field {@code name} (absent: none), each in {@code 0..max}, no repeats. */
    private static int[] layers(JsonFields f, String name, int max) {
        JsonFields o = f.object(name);
        if (o == null) {
            return new int[0];
        }
        String param = name + ".layers";
        JsonNode list = o.get("layers");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw ApiException.badRequest(param, "'" + param + "' must be a non-empty list of layer numbers"
                    + (list == null ? "" : ", got " + (list.isArray() ? "an empty list" : JsonFields.kind(list))));
        }
        int[] out = new int[list.size()];
        boolean[] seen = new boolean[max + 1];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = list.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() > max) {
                throw ApiException.badRequest(param, "'" + param + "' holds " + v + " at index " + i
                        + "; layers are integers 0.." + max);
            }
            if (seen[v.intValue()]) {
                throw ApiException.badRequest(param, "'" + param + "' names layer " + v.intValue() + " twice");
            }
            seen[v.intValue()] = true;
            out[i] = v.intValue();
        }
        return out;
    }
}
