package dev.neox4j.engine.tokenizer;

/**
 * Token types of {@code tokenizer.ggml.token_type} (llama.cpp's {@code llama_token_type}), by their GGUF code.
 */
public enum TokenType {
    /** 0: no type; renders as nothing. Also used for codes outside 0..6 (as llama.cpp does). */
    UNDEFINED,
    /** 1: a regular BPE token; its text is byte-level encoded. */
    NORMAL,
    /** 2: the unknown token; special-like (matched in text only with special-token parsing). */
    UNKNOWN,
    /** 3: a control token such as {@code <|endoftext|>}; matched in text only with special-token parsing, rendered only on request. */
    CONTROL,
    /** 4: an added token stored as raw text (not byte-level encoded); always split off before BPE, rendered verbatim. */
    USER_DEFINED,
    /** 5: an unused (padding) entry; never produced by tokenization, renders as nothing. */
    UNUSED,
    /** 6: a SentencePiece-style byte token {@code <0xNN>}. */
    BYTE;

    private static final TokenType[] BY_CODE = values();

    /** The type for a GGUF code; unknown codes map to {@link #UNDEFINED}. */
    public static TokenType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNDEFINED;
    }

    /** The GGUF code of this type. */
    public int code() {
        return ordinal();
    }
}
