package dev.neox4j.api.rest;

import dev.neox4j.api.rest.ChatDtos.ChatTokenLogprob;
import dev.neox4j.api.rest.ChatDtos.ChatTopLogprob;
import dev.neox4j.engine.runtime.TokenLogprob;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes token logprobs in the API's shapes: token strings are the tokens' pieces, or {@code token_id:<id>} with
 * {@code return_tokens_as_token_ids}; non-finite logprobs become {@value #FLOOR} (JSON has no infinity).
 */
public final class LogprobFormat {

    /** What {@code -Infinity} is written as. */
    public static final float FLOOR = -9999.0f;

    private final Tokenizer tokenizer;
    private final boolean tokenIds;

    public LogprobFormat(Tokenizer tokenizer, boolean tokenIds) {
        this.tokenizer = tokenizer;
        this.tokenIds = tokenIds;
    }

    /**
     * The string for a token. A padding row of the model beyond the tokenizer's table (the embedding may have more
     * rows than the tokenizer has tokens) has no piece: it is written {@code token_id:<id>}, as it adds no text.
     */
    public String token(int id) {
        return tokenIds || !inTokenizer(id) ? "token_id:" + id : tokenizer.tokenPiece(id);
    }

    private boolean inTokenizer(int id) {
        return id >= 0 && id < tokenizer.vocabSize();
    }

    /** A JSON-safe logprob. */
    public static float value(float logprob) {
        return Float.isFinite(logprob) ? logprob : FLOOR;
    }

    /** The token's UTF-8 bytes as unsigned ints. */
    public List<Integer> bytes(int id) {
        byte[] b = inTokenizer(id) ? tokenizer.tokenBytes(id) : new byte[0];
        List<Integer> out = new ArrayList<>(b.length);
        for (byte x : b) {
            out.add(x & 0xff);
        }
        return out;
    }

    /**
     * The legacy {@code top_logprobs} entry: the top alternatives, most likely first, plus the chosen token when it
     * is not among them (as vLLM does, so {@code logprobs: 0} still shows the chosen token).
     */
    public Map<String, Float> top(TokenLogprob lp) {
        Map<String, Float> map = new LinkedHashMap<>();
        for (TokenLogprob.Alternative a : lp.top()) {
            map.putIfAbsent(token(a.tokenId()), value(a.logprob()));
        }
        map.putIfAbsent(token(lp.tokenId()), value(lp.logprob()));
        return map;
    }

    /** The chat entry for one token. */
    public ChatTokenLogprob chat(TokenLogprob lp) {
        List<ChatTopLogprob> top = new ArrayList<>(lp.top().size());
        for (TokenLogprob.Alternative a : lp.top()) {
            top.add(new ChatTopLogprob(token(a.tokenId()), value(a.logprob()), bytes(a.tokenId())));
        }
        return new ChatTokenLogprob(token(lp.tokenId()), value(lp.logprob()), bytes(lp.tokenId()), top);
    }
}
