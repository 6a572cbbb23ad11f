package dev.neox4j.acceptance;

import dev.neox4j.api.rest.ChatDtos.ChatTokenLogprob;
import dev.neox4j.api.rest.LogprobFormat;
import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.runtime.TokenLogprob;
import dev.neox4j.engine.runtime.TokenLogprob.Alternative;
import dev.neox4j.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bug: a model whose embedding has more rows than its tokenizer has tokens (allowed: padded vocabularies) can
 * generate, or rank among the top logprobs, an id with no piece. Any request asking for logprobs then failed with
 * {@code 400 "token id 513 is out of range [0, 512)"} (REST JSON, inside an SSE stream, chat and WebSocket alike),
 * because writing the logprob token asked the tokenizer for that id's piece. Such ids are now written
 * {@code token_id:<id>} with no bytes (they add no text).
 */
class PaddedVocabularyLogprobsTest {

    @Test
    void logprobTokensBeyondTheTokenizerAreWrittenAsTokenIds() throws Exception {
        Path model = Path.of("src/test/resources/fixtures/models/tiny-gptneox-d256-F32.gguf");
        Tokenizer tokenizer;
        try (GgufFile file = GgufFile.open(model)) {
            tokenizer = Tokenizer.fromGguf(file.metadata());
        }
        assertEquals(512, tokenizer.vocabSize());
        LogprobFormat format = new LogprobFormat(tokenizer, false);
        TokenLogprob lp = new TokenLogprob(515, -0.5f,
                List.of(new Alternative(515, -0.5f), new Alternative(3, -1.25f), new Alternative(519, -2f)));

        assertEquals("token_id:515", format.token(515));
        Map<String, Float> top = format.top(lp);
        assertEquals(List.of("token_id:515", tokenizer.tokenPiece(3), "token_id:519"), List.copyOf(top.keySet()));
        assertEquals(-2f, top.get("token_id:519"));

        ChatTokenLogprob chat = format.chat(lp);
        assertEquals("token_id:515", chat.token());
        assertEquals(List.of(), chat.bytes());
        assertEquals("token_id:519", chat.topLogprobs().get(2).token());
        assertEquals(List.of(), chat.topLogprobs().get(2).bytes());
        // ids inside the tokenizer keep their pieces and bytes
        assertEquals(tokenizer.tokenPiece(3), chat.topLogprobs().get(1).token());
        assertEquals(tokenizer.tokenBytes(3).length, chat.topLogprobs().get(1).bytes().size());
    }
}
