package dev.neox4j.api.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.config.EngineHolder;
import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.PromptTokens;
import dev.neox4j.engine.tokenizer.Tokenizer;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokenizer endpoints in vLLM's shapes (which lm-evaluation-harness uses): {@code POST /tokenize},
 * {@code POST /detokenize}, {@code GET /tokenizer_info}. Control tokens written in the text (such as
 * {@code <|endoftext|>}) are parsed unless {@code "parse_special": false}.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class TokenizerResource {

    @Inject
    EngineHolder holder;

    @Inject
    GenerationService service;

    /** {@code /tokenize} answer; {@code pieces} only with {@code with_pieces}. */
    public record TokenizeResponse(int[] tokens, int count, @JsonProperty("max_model_len") int maxModelLen,
                                   @JsonInclude(JsonInclude.Include.NON_NULL) List<String> pieces) {
    }

    /** {@code /detokenize} answer: the text, control tokens such as {@code <|endoftext|>} written out. */
    public record DetokenizeResponse(String prompt) {
    }

    /** {@code /tokenizer_info} answer. */
    public record TokenizerInfo(@JsonProperty("eos_token") String eosToken,
                                @JsonProperty("eos_token_id") int eosTokenId,
                                @JsonProperty("bos_token") String bosToken,
                                @JsonProperty("bos_token_id") int bosTokenId,
                                @JsonProperty("vocab_size") int vocabSize,
                                @JsonProperty("model_vocab_size") int modelVocabSize,
                                @JsonProperty("model_max_length") int modelMaxLength,
                                @JsonProperty("tokenizer_model") String tokenizerModel,
                                @JsonProperty("pre_type") String preType,
                                @JsonProperty("tokenizer_class") String tokenizerClass,
                                @JsonProperty("add_bos_token") boolean addBosToken) {
    }

    @POST
    @Path("tokenize")
    @Blocking
    public TokenizeResponse tokenize(String body) {
        RequestParser parser = service.parser();
        Engine engine = parser.engine();
        JsonFields f = service.fields(parser, body);
        Tokenizer tokenizer = engine.tokenizer();
        boolean parseSpecial = f.bool("parse_special", PromptTokens.PARSE_SPECIAL);
        boolean addSpecial = f.bool("add_special_tokens", true); // BOS/EOS only if the model asks (Pythia: never)
        boolean withPieces = f.bool("with_pieces", false);
        String text;
        if (f.has("prompt")) {
            text = f.string("prompt", null);
        } else if (f.has("content")) {
            text = f.string("content", null);
        } else if (f.has("messages")) {
            text = holder.chatTemplate().render(parser.chatTurns(f.get("messages")));
        } else {
            throw ApiException.badRequest("prompt", "'prompt' (or 'content', or 'messages') is required");
        }
        int[] ids = tokenizer.encode(text, addSpecial, parseSpecial);
        List<String> pieces = null;
        if (withPieces) {
            pieces = new ArrayList<>(ids.length);
            for (int id : ids) {
                pieces.add(tokenizer.tokenPiece(id));
            }
        }
        return new TokenizeResponse(ids, ids.length, engine.modelInfo().contextLength(), pieces);
    }

    @POST
    @Path("detokenize")
    @Blocking
    public DetokenizeResponse detokenize(String body) {
        RequestParser parser = service.parser();
        Engine engine = parser.engine();
        JsonFields f = service.fields(parser, body);
        JsonNode tokens = f.get("tokens");
        if (tokens == null) {
            throw ApiException.badRequest("tokens", "'tokens' is required");
        }
        if (!tokens.isArray()) {
            throw ApiException.badRequest("tokens", "'tokens' must be a list of token ids, got "
                    + JsonFields.kind(tokens));
        }
        Tokenizer tokenizer = engine.tokenizer();
        int[] ids = JsonFields.tokenIds("tokens", tokens, tokenizer.vocabSize());
        return new DetokenizeResponse(tokenizer.decode(ids, true));
    }

    @GET
    @Path("tokenizer_info")
    public TokenizerInfo info() {
        Engine engine = holder.require();
        Tokenizer t = engine.tokenizer();
        return new TokenizerInfo(t.tokenPiece(t.eosId()), t.eosId(), t.tokenPiece(t.bosId()), t.bosId(),
                t.vocabSize(), engine.modelInfo().vocabSize(), engine.modelInfo().contextLength(),
                "gpt2", t.preTokenizer(), "GPTNeoXTokenizerFast", t.addBos());
    }
}
