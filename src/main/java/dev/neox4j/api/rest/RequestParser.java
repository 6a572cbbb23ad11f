package dev.neox4j.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.engine.runtime.ChatTemplate;
import dev.neox4j.engine.runtime.ChatTurn;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.GenerationRequest;
import dev.neox4j.engine.runtime.RequestGroup;
import dev.neox4j.engine.runtime.PromptTokens;
import dev.neox4j.engine.sampling.InvalidSettingException;
import dev.neox4j.engine.sampling.SamplingSettings;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Validates an OpenAI completion or chat request body and turns it into a {@link GenerationPlan}. Unknown fields
 * are ignored; a known field with a wrong type or value is a 400 that names it. Used by the REST resources and the
 * WebSocket endpoint alike.
 */
public final class RequestParser {

    /** Most choices ({@code n} times the number of prompts) one request may ask for. */
    public static final int MAX_CHOICES = 128;
    /** {@code max_tokens} of a text completion when the request has none (as OpenAI). */
    public static final int DEFAULT_MAX_TOKENS = 16;

    private final Engine engine;
    private final Tokenizer tokenizer;
    private final boolean clipMaxTokens;
    private final int contextLength;
    private final String modelId;
    private final int maxLogprobs;
    private final ChatTemplate template;

    /**
     * @param engine      the ready engine
     * @param modelId     the id the API serves the model under
     * @param maxLogprobs {@code neox.max-logprobs}
     * @param template    the chat template
     * @param clipMaxTokens {@code neox.clip-max-tokens}: a {@code max_tokens} that does not fit beside the prompt
     *                    is cut to what fits instead of answered with 400
     */
    public RequestParser(Engine engine, String modelId, int maxLogprobs, ChatTemplate template,
                         boolean clipMaxTokens) {
        this.engine = engine;
        this.tokenizer = engine.tokenizer();
        this.clipMaxTokens = clipMaxTokens;
        this.contextLength = engine.modelInfo().contextLength();
        this.modelId = modelId;
        this.maxLogprobs = maxLogprobs;
        this.template = template;
    }

    /** Refuses a {@code model} field that names another model (404); an absent one is fine. */
    public void checkModel(JsonFields f) {
        String model = f.string("model", null);
        if (model != null && !model.equals(modelId)) {
            throw ApiException.modelNotFound(model);
        }
    }

    /** A tokenized prompt and its text. */
    private record Prompt(int[] ids, String text) {
    }

    /** A {@code POST /v1/completions} body. */
    public GenerationPlan completion(JsonFields f, String source) {
        checkModel(f);
        if (f.has("suffix")) {
            throw ApiException.badRequest("suffix", "'suffix' is not supported by this model");
        }
        boolean parseSpecial = f.bool("parse_special", PromptTokens.PARSE_SPECIAL);
        Integer truncate = f.integer("truncate_prompt_tokens", null, 1, Integer.MAX_VALUE);
        List<Prompt> prompts = prompts(f.get("prompt"), parseSpecial, truncate);
        boolean echo = f.bool("echo", false);
        int maxTokens = f.integer("max_tokens", DEFAULT_MAX_TOKENS, 0, Integer.MAX_VALUE);
        if (maxTokens == 0 && !echo) {
            throw ApiException.badRequest("max_tokens", "'max_tokens' must be at least 1 (0 is allowed with echo)");
        }
        Integer logprobs = f.integer("logprobs", null, 0, maxLogprobs);
        return plan(false, f, prompts, maxTokens, logprobs == null ? -1 : logprobs, echo, List.of(), source);
    }

    /** A {@code POST /v1/chat/completions} body. */
    public GenerationPlan chat(JsonFields f, String source) {
        checkModel(f);
        rejectUnsupportedChatFeatures(f);
        List<ChatTurn> turns = chatTurns(f.get("messages"));
        String text = template.render(turns);
        boolean parseSpecial = f.bool("parse_special", PromptTokens.PARSE_SPECIAL);
        Prompt prompt = new Prompt(PromptTokens.encode(tokenizer, text, parseSpecial), text);
        Integer maxTokens = f.integer("max_completion_tokens", null, 1, Integer.MAX_VALUE);
        if (maxTokens == null) {
            maxTokens = f.integer("max_tokens", null, 1, Integer.MAX_VALUE);
        }
        if (maxTokens == null) {
            maxTokens = Math.max(1, contextLength - prompt.ids().length);
        }
        boolean logprobs = f.bool("logprobs", false);
        Integer top = f.integer("top_logprobs", null, 0, maxLogprobs);
        if (top != null && !logprobs) {
            throw ApiException.badRequest("top_logprobs", "'top_logprobs' requires 'logprobs': true");
        }
        int n = logprobs ? (top == null ? 0 : top) : -1;
        return plan(true, f, List.of(prompt), maxTokens, n, false, template.stopStrings(), source);
    }

    private static void rejectUnsupportedChatFeatures(JsonFields f) {
        JsonNode tools = f.get("tools");
        if (tools != null && (!tools.isArray() || !tools.isEmpty())) {
            throw ApiException.badRequest("tools", "tools / function calling are not supported by this model");
        }
        JsonNode functions = f.get("functions");
        if (functions != null && (!functions.isArray() || !functions.isEmpty())) {
            throw ApiException.badRequest("functions", "function calling is not supported by this model");
        }
        JsonFields format = f.object("response_format");
        if (format != null) {
            String type = format.string("type", "text");
            if (!"text".equals(type)) {
                throw ApiException.badRequest("response_format", "response_format '" + ApiException.cut(type)
                        + "' is not supported; this base model only produces free text");
            }
        }
    }

    private GenerationPlan plan(boolean chat, JsonFields f, List<Prompt> prompts, int maxTokens, int logprobs,
                                boolean echo, List<String> extraStops, String source) {
        int n = f.integer("n", 1, 1, MAX_CHOICES);
        Integer bestOf = f.integer("best_of", null, 1, MAX_CHOICES);
        if (bestOf != null && bestOf != n) {
            throw ApiException.badRequest("best_of", "'best_of' other than 'n' is not supported");
        }
        if ((long) n * prompts.size() > MAX_CHOICES) {
            throw ApiException.badRequest("n", "a request may ask for at most " + MAX_CHOICES
                    + " choices (n times the number of prompts), got " + ((long) n * prompts.size()));
        }
        // each choice is one sequence; more than the slots plus the queue can hold would be refused with 429 even on
        // an idle server, forever, so it is a bad request
        int capacity = engine.options().maxSequences() + engine.options().queueSize();
        if ((long) n * prompts.size() > capacity) {
            throw ApiException.badRequest("n", "this server runs at most " + capacity + " sequences at once ("
                    + engine.options().maxSequences() + " slots + " + engine.options().queueSize()
                    + " queued), so a request may ask for at most " + capacity
                    + " choices (n times the number of prompts), got " + ((long) n * prompts.size()));
        }
        SamplingSettings.Builder settings = SamplingSettings.builder()
                .maxTokens(maxTokens)
                .logprobs(logprobs)
                .temperature(f.number("temperature", 1.0))
                .topP(f.number("top_p", 1.0))
                .topK(f.integer("top_k", 0, Integer.MIN_VALUE, Integer.MAX_VALUE))
                .minP(f.number("min_p", 0.0))
                .repetitionPenalty(f.number("repetition_penalty", 1.0))
                .presencePenalty(f.number("presence_penalty", 0.0))
                .frequencyPenalty(f.number("frequency_penalty", 0.0))
                .logitBias(logitBias(f.get("logit_bias")))
                .ignoreEos(f.bool("ignore_eos", false));
        Long seed = f.longValue("seed", null);
        SamplingSettings first;
        try {
            first = settings.seed(seed).stop(f.stringOrList("stop")).build().withExtraStops(extraStops);
        } catch (InvalidSettingException e) {
            throw ApiException.badRequest(e.setting(), e.getMessage());
        }
        boolean stream = f.bool("stream", false);
        JsonFields streamOptions = f.object("stream_options");
        boolean includeUsage = streamOptions != null && streamOptions.bool("include_usage", false);
        boolean tokenIds = f.bool("return_tokens_as_token_ids", false);
        f.string("user", null);

        List<SequenceSpec> sequences = new ArrayList<>();
        int[] promptTokens = new int[prompts.size()];
        RequestGroup group = engine.requestGroup(prompts.size() * n, source); // counted once by the metrics
        for (int i = 0; i < prompts.size(); i++) {
            Prompt p = prompts.get(i);
            promptTokens[i] = p.ids().length;
            for (int j = 0; j < n; j++) {
                SamplingSettings sampling = seed == null || j == 0 ? first
                        : first.toBuilder().seed(seed + j).build();
                GenerationRequest request = GenerationRequest.builder(p.ids()).sampling(sampling).echo(echo)
                        .clipMaxTokens(clipMaxTokens).source(source).group(group).build();
                sequences.add(new SequenceSpec(i * n + j, i, p.text(), request));
            }
        }
        return new GenerationPlan(chat, modelId, List.copyOf(sequences), promptTokens, stream, includeUsage, echo,
                logprobs, tokenIds);
    }

    private Map<Integer, Float> logitBias(JsonNode node) {
        if (node == null) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("logit_bias", "'logit_bias' must be an object mapping token ids to biases, "
                    + "got " + JsonFields.kind(node));
        }
        Map<Integer, Float> bias = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey().strip());
            } catch (NumberFormatException ex) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' keys must be token ids, got '"
                        + ApiException.cut(e.getKey()) + "'");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber()) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' values must be numbers between -100 and "
                        + "100, got " + JsonFields.kind(v) + " for token " + id);
            }
            bias.put(id, (float) Math.max(-1e9, Math.min(1e9, v.doubleValue())));
        }
        return bias;
    }

    private List<Prompt> prompts(JsonNode node, boolean parseSpecial, Integer truncate) {
        List<Prompt> prompts = new ArrayList<>();
        if (node == null) {
            prompts.add(textPrompt("", parseSpecial));
        } else if (node.isTextual()) {
            prompts.add(textPrompt(node.textValue(), parseSpecial));
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                throw ApiException.badRequest("prompt", "'prompt' must not be an empty list");
            }
            if (node.get(0).isNumber()) {
                prompts.add(idPrompt(JsonFields.tokenIds("prompt", node, Integer.MAX_VALUE)));
            } else {
                for (int i = 0; i < node.size(); i++) {
                    JsonNode item = node.get(i);
                    if (item.isTextual()) {
                        prompts.add(textPrompt(item.textValue(), parseSpecial));
                    } else if (item.isArray() && !item.isEmpty()) {
                        prompts.add(idPrompt(JsonFields.tokenIds("prompt", item, Integer.MAX_VALUE)));
                    } else {
                        throw ApiException.badRequest("prompt", "'prompt' must be a string, a list of token ids, or a "
                                + "list of strings or token-id lists; found " + (item.isArray() ? "an empty list"
                                : JsonFields.kind(item)) + " at index " + i);
                    }
                }
            }
        } else {
            throw ApiException.badRequest("prompt", "'prompt' must be a string, a list of token ids, or a list of "
                    + "strings or token-id lists; got " + JsonFields.kind(node));
        }
        List<Prompt> fitted = new ArrayList<>(prompts.size());
        for (Prompt p : prompts) {
            Prompt q = p;
            if (truncate != null && p.ids().length > truncate) {
                int[] kept = Arrays.copyOfRange(p.ids(), p.ids().length - truncate, p.ids().length);
                q = new Prompt(kept, tokenizer.decodeRaw(kept, true));
            }
            fitted.add(q);
        }
        return fitted;
    }

    private Prompt textPrompt(String text, boolean parseSpecial) {
        return new Prompt(PromptTokens.encode(tokenizer, text, parseSpecial), text);
    }

    private Prompt idPrompt(int[] ids) {
        try {
            engine.checkTokenIds("prompt", ids); // before decoding them as the echo text
        } catch (InvalidSettingException e) {
            throw ApiException.badRequest(e.setting(), e.getMessage());
        }
        return new Prompt(ids, tokenizer.decodeRaw(ids, true));
    }

    /** The {@code messages} of a chat request as turns; 400 naming the message when one is malformed. */
    public List<ChatTurn> chatTurns(JsonNode node) {
        if (node == null) {
            throw ApiException.badRequest("messages", "'messages' is required");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw ApiException.badRequest("messages", "'messages' must be a non-empty list of messages");
        }
        List<ChatTurn> turns = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String param = "messages[" + i + "]";
            JsonNode m = node.get(i);
            if (!m.isObject()) {
                throw ApiException.badRequest(param, "each message must be an object, got " + JsonFields.kind(m)
                        + " at " + param);
            }
            JsonNode roleNode = m.get("role");
            if (roleNode == null || !roleNode.isTextual()) {
                throw ApiException.badRequest(param + ".role", param + " needs a string 'role'");
            }
            String role = switch (roleNode.textValue()) {
                case "system", "developer" -> ChatTurn.SYSTEM;
                case "user" -> ChatTurn.USER;
                case "assistant" -> ChatTurn.ASSISTANT;
                default -> throw ApiException.badRequest(param + ".role", "unsupported role '"
                        + roleNode.textValue() + "' at " + param + ": expected system, developer, user or assistant");
            };
            turns.add(new ChatTurn(role, content(m.get("content"), param)));
        }
        return turns;
    }

    private static String content(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (content.isArray()) {
            List<String> parts = new ArrayList<>(content.size());
            for (JsonNode part : content) {
                JsonNode type = part.get("type");
                JsonNode text = part.get("text");
                if (part.isTextual()) {
                    parts.add(part.textValue());
                } else if (part.isObject() && type != null && "text".equals(type.asText()) && text != null
                        && text.isTextual()) {
                    parts.add(text.textValue());
                } else {
                    throw ApiException.badRequest(param + ".content", "only text content parts are supported ("
                            + param + ")");
                }
            }
            return ChatTurn.joinParts(parts);
        }
        throw ApiException.badRequest(param + ".content", param + ".content must be a string or a list of text "
                + "parts, got " + JsonFields.kind(content));
    }

    /** The engine this parser validates against. */
    public Engine engine() {
        return engine;
    }
}
