package dev.neox4j.engine.runtime;

import dev.neox4j.engine.sampling.SamplingSettings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in demo model: written once, loaded through the normal path, usable end to end with text. */
class DemoModelTest {

    @Test
    void demoModelServesTextWithTheRealTokenizer() throws Exception {
        try (Engine engine = Engine.open(EngineOptions.defaults(null).withThreads(2).withContextLength(256))) {
            ModelInfo info = engine.modelInfo();
            assertTrue(info.demo());
            assertEquals("neox4j-demo", info.id());
            assertEquals(50432, info.vocabSize());
            assertEquals(128, info.embeddingLength());
            assertEquals(256, info.contextLength());
            assertEquals(2048, info.trainContextLength());
            assertEquals("Q8_0", info.quantType());
            assertEquals(DemoModel.cachedPath(), info.path());
            assertTrue(info.mappedBytes() > 0);

            String prompt = ChatTemplate.DEFAULT.render(List.of(ChatTurn.user("Hello, who are you?")));
            int[] ids = engine.tokenizer().encode(prompt, false);
            Collector c = new Collector();
            engine.submit(GenerationRequest.builder(ids).sampling(SamplingSettings.builder().temperature(0.8f)
                    .topK(40).topP(0.95f).repetitionPenalty(1.1f).logitBias(java.util.Map.of()).seed(1L)
                    .maxTokens(16).stop(ChatTemplate.DEFAULT.stopStrings()).logprobs(2).build()).source("test")
                    .build(), c);
            Completion done = c.await();
            assertNotNull(done.text());
            assertEquals(done.text(), c.streamedText());
            assertTrue(done.tokens().length >= 1 && done.tokens().length <= 16);
            assertEquals(ids.length, done.usage().promptTokens());
            assertTrue(c.tokens.stream().allMatch(t -> t.logprob() != null && t.logprob().top().size() == 2));
            EngineStats s = engine.stats();
            assertEquals(2, s.threads());
            assertTrue(s.loadMillis() > 0);
            assertEquals(info.mappedBytes(), s.mappedBytes());
        }
    }
}
