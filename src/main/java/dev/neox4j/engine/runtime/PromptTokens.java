package dev.neox4j.engine.runtime;

import dev.neox4j.engine.tokenizer.Tokenizer;

/**
 * How every entry point (REST completions and chat, the WebSocket, the LangChain4j models) turns prompt text into
 * token ids, so that the same text gives the same tokens everywhere.
 *
 * <p>Special tokens written as text in a prompt (Pythia's {@code <|endoftext|>}) are parsed as the special token
 * by default ({@link #PARSE_SPECIAL}), as Hugging Face tokenizers, vLLM and llama.cpp's server do; the REST API's
 * {@code parse_special: false} tokenizes them as plain text. An empty prompt is evaluated as the single BOS token
 * (for Pythia {@code <|endoftext|>}, as OpenAI starts a new document), so that a base model can generate from
 * nothing.
 */
public final class PromptTokens {

    /** Whether special-token text in a prompt is parsed as the special token unless the request says otherwise. */
    public static final boolean PARSE_SPECIAL = true;

    private PromptTokens() {
    }

    /** The ids of {@code text} with the default {@link #PARSE_SPECIAL}; never empty. */
    public static int[] encode(Tokenizer tokenizer, String text) {
        return encode(tokenizer, text, PARSE_SPECIAL);
    }

    /** The ids of {@code text}; never empty (an empty prompt is the BOS token). */
    public static int[] encode(Tokenizer tokenizer, String text, boolean parseSpecial) {
        int[] ids = tokenizer.encode(text, parseSpecial);
        return ids.length == 0 ? new int[]{tokenizer.bosId()} : ids;
    }
}
