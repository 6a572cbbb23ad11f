package dev.neox4j.engine.tokenizer;

import dev.neox4j.engine.gguf.GgufMetadata;

/**
 * The GPT-NeoX byte-level BPE tokenizer read from GGUF metadata ({@code tokenizer.ggml.*}).
 * API contract; implementation in progress.
 */
public final class Tokenizer {

    /** Reads vocabulary, token types, merges and special ids; refuses unknown models or pre-types. */
    public static Tokenizer fromGguf(GgufMetadata metadata) {
        throw new UnsupportedOperationException("tokenizer not implemented yet");
    }

    /** Token ids for {@code text}; no BOS is added. {@code parseSpecial} matches control tokens in the text. */
    public int[] encode(String text, boolean parseSpecial) {
        throw new UnsupportedOperationException();
    }

    /** Text of the ids as llama.cpp's detokenize gives it (with clean_up_tokenization_spaces). */
    public String decode(int[] ids) {
        throw new UnsupportedOperationException();
    }

    /** Lossless text of the ids (raw byte concatenation, invalid UTF-8 as U+FFFD), no clean-up. */
    public String decodeRaw(int[] ids) {
        throw new UnsupportedOperationException();
    }

    /** Raw bytes of one token's piece (empty for control and unused tokens). */
    public byte[] tokenBytes(int id) {
        throw new UnsupportedOperationException();
    }

    /** A display string for one token (control tokens as their text, invalid UTF-8 as U+FFFD). */
    public String tokenPiece(int id) {
        throw new UnsupportedOperationException();
    }

    /** Number of tokens in the vocabulary ({@code tokenizer.ggml.tokens} length). */
    public int vocabSize() {
        throw new UnsupportedOperationException();
    }

    public int eosId() {
        throw new UnsupportedOperationException();
    }

    public int bosId() {
        throw new UnsupportedOperationException();
    }

    /** Whether {@code id} ends generation (EOS, or a token whose text is {@code <|endoftext|>}). */
    public boolean isEndOfGeneration(int id) {
        throw new UnsupportedOperationException();
    }

    /** A fresh incremental decoder for one stream. */
    public StreamingDecoder newStreamingDecoder() {
        throw new UnsupportedOperationException();
    }
}
