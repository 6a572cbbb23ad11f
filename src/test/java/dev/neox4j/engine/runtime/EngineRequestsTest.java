package dev.neox4j.engine.runtime;

import dev.neox4j.engine.sampling.InvalidSettingException;
import dev.neox4j.engine.sampling.SamplingSettings;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What one request gets back: stop strings, echo logprobs, limits, validation. */
class EngineRequestsTest {
    private static Engine engine;

    @BeforeAll
    static void open() throws Exception {
        engine = Engine.open(EngineFixtures.options("F32").withContextLength(320));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static GenerationRequest greedy(int[] prompt, int max, List<String> stop, int logprobs, boolean echo) {
        return GenerationRequest.builder(prompt).sampling(SamplingSettings.builder().temperature(0).maxTokens(max)
                .stop(stop).ignoreEos(true).logprobs(logprobs).build()).echo(echo).source("t").build();
    }

    private static Collector run(GenerationRequest r) {
        Collector c = new Collector();
        engine.submit(r, c);
        c.await();
        return c;
    }

    @Test
    void stopStringSpanningTwoTokensIsNotEmitted() {
        int[] prompt = EngineFixtures.sequence("seq64");
        Collector free = run(greedy(prompt, 40, List.of(), -1, false));
        List<GeneratedToken> toks = free.tokens;
        String full = free.await().text();
        assertEquals(full, free.streamedText());
        // find a boundary between two non-empty token texts whose joining characters first occur there
        String stop = null;
        int at = -1;
        int offset = 0;
        for (int k = 0; k + 1 < toks.size(); k++) {
            offset += toks.get(k).text().length();
            String a = toks.get(k).text();
            String b = toks.get(k + 1).text();
            if (a.isEmpty() || b.isEmpty()) {
                continue;
            }
            String candidate = a.substring(a.length() - 1) + b.charAt(0);
            if (full.indexOf(candidate) == offset - 1) {
                stop = candidate;
                at = offset - 1;
                break;
            }
        }
        assertNotNull(stop, "the greedy text has no usable token boundary: " + full);
        Collector stopped = run(greedy(prompt, 40, List.of(stop), -1, false));
        Completion c = stopped.await();
        assertEquals(FinishReason.STOP, c.finishReason());
        assertEquals(full.substring(0, at), c.text());
        assertEquals(c.text(), stopped.streamedText(), "streamed pieces add up to the text");
        assertFalse(stopped.streamedText().contains(stop));
    }

    @Test
    void echoWithLogprobsAndNoTokensScoresEveryPromptTokenLikeLlamaCpp() {
        for (String seq : List.of("seq8", "seq300")) {
            int[] prompt = EngineFixtures.sequence(seq);
            Collector col = run(greedy(prompt, 0, List.of(), 3, true));
            Completion c = col.await();
            assertEquals(FinishReason.LENGTH, c.finishReason());
            assertEquals(0, c.tokens().length);
            assertTrue(col.tokens.isEmpty());
            assertEquals(new Usage(prompt.length, 0), c.usage());
            assertEquals(prompt.length, col.promptEvaluated);
            List<TokenLogprob> lps = c.promptLogprobs();
            assertEquals(prompt.length, lps.size());
            assertNull(lps.get(0));
            float[] golden = EngineFixtures.promptLogits("F32", seq);
            int vocab = engine.modelInfo().vocabSize();
            for (int p = 1; p < prompt.length; p++) {
                TokenLogprob lp = lps.get(p);
                assertEquals(prompt[p], lp.tokenId());
                assertEquals(3, lp.top().size());
                double expected = golden[(p - 1) * vocab + prompt[p]] - logSumExp(golden, (p - 1) * vocab, vocab);
                assertEquals(expected, lp.logprob(), 0.05, seq + " position " + p);
                assertTrue(lp.top().get(0).logprob() >= lp.logprob());
            }
        }
    }

    @Test
    void generatedLogprobsAreTheRawLogSoftmaxEvenWhenSampling() {
        int[] prompt = EngineFixtures.sequence("seq8");
        Collector greedyRun = run(greedy(prompt, 1, List.of(), 5, false));
        TokenLogprob g = greedyRun.tokens.get(0).logprob();
        assertEquals(g.tokenId(), g.top().get(0).tokenId(), "greedy picks the most likely token");
        SamplingSettings hot = SamplingSettings.builder().temperature(5f).topK(3).seed(3L).build();
        Collector sampled = run(GenerationRequest.builder(prompt)
                .sampling(hot.toBuilder().maxTokens(1).ignoreEos(true).logprobs(5).build()).source("t").build());
        assertEquals(g.top(), sampled.tokens.get(0).logprob().top(), "alternatives do not depend on temperature");
    }

    @Test
    void contextEndFinishesWithLength() {
        int[] prompt = Arrays.copyOf(EngineFixtures.sequence("seq300"), 316);
        for (int i = 300; i < 316; i++) {
            prompt[i] = 100 + i - 300;
        }
        Completion c = run(greedy(prompt, 100, List.of(), -1, false).toBuilder().clipMaxTokens(true).build()).await();
        assertEquals(FinishReason.LENGTH, c.finishReason());
        assertEquals(320 - 316 + 1, c.tokens().length, "positions 316..319 are fed, the last token is not");
    }

    @Test
    void tooLongPromptIsRefusedEvenWhenMaxTokensMayBeClipped() {
        int[] prompt = new int[400];
        Arrays.fill(prompt, 42);
        for (boolean clip : new boolean[] {false, true}) {
            var e = assertThrows(ContextOverflowException.class, () -> engine.submit(greedy(prompt, 4, List.of(),
                    -1, false).toBuilder().clipMaxTokens(clip).build(), new Collector()));
            assertEquals(400, e.promptTokens());
            assertEquals(320, e.contextLength());
            assertTrue(e.promptTooLong());
        }
    }

    @Test
    void maxTokensBeyondTheContextIsRefusedNamingBothNumbersUnlessClippingIsAsked() {
        int[] prompt = new int[300];
        Arrays.fill(prompt, 42);
        var e = assertThrows(ContextOverflowException.class, () -> engine.submit(greedy(prompt, 21, List.of(), -1,
                false), new Collector()));
        assertFalse(e.promptTooLong());
        assertEquals(21, e.maxTokens());
        assertTrue(e.getMessage().contains("300") && e.getMessage().contains("21")
                && e.getMessage().contains("320"), e.getMessage());
        Completion exact = run(greedy(prompt, 20, List.of(), -1, false)).await();
        assertEquals(20, exact.tokens().length, "prompt + max_tokens == context is accepted");
        Completion clipped = run(greedy(prompt, 50, List.of(), -1, false).toBuilder().clipMaxTokens(true).build())
                .await();
        assertEquals(FinishReason.LENGTH, clipped.finishReason());
        assertEquals(320 - 300 + 1, clipped.tokens().length, "clipped at the end of the context");
    }

    @Test
    void invalidRequestsAreRefusedWithAClearMessage() {
        Collector c = new Collector();
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> greedy(new int[0], 1, List.of(), -1, false)).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> engine.submit(greedy(new int[] {1, 512}, 1, List.of(), -1, false), c)).getMessage()
                .contains("512"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> greedy(new int[] {1}, 1, List.of(), 21, false)).getMessage().contains("logprobs"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> greedy(new int[] {1}, -1, List.of(), -1, false)).getMessage().contains("max_tokens"));
        var badTopP = assertThrows(InvalidSettingException.class,
                () -> SamplingSettings.builder().topP(2f).build());
        assertEquals("top_p", badTopP.setting());
        SamplingSettings bias = SamplingSettings.builder().logitBias(Map.of(9999, 1f)).maxTokens(1).build();
        var badBias = assertThrows(InvalidSettingException.class, () -> engine.submit(
                GenerationRequest.builder(new int[] {1}).sampling(bias).build(), c));
        assertEquals("logit_bias", badBias.setting());
        assertTrue(badBias.getMessage().contains("9999"), badBias.getMessage());
        assertFalse(c.done.isDone(), "a refused request gets no events");
    }

    @Test
    void promptOnlyRequestsEvaluateWithoutGenerating() {
        int[] prompt = EngineFixtures.sequence("seq64");
        for (int logprobs : new int[] {-1, 2}) {
            Collector col = run(greedy(prompt, 0, List.of(), logprobs, false));
            Completion c = col.await();
            assertEquals(FinishReason.LENGTH, c.finishReason());
            assertEquals(0, c.tokens().length);
            assertEquals("", c.text());
            assertTrue(c.promptLogprobs().isEmpty(), "prompt logprobs only with echo");
            assertEquals(new Usage(64, 0), c.usage());
        }
        assertTrue(run(greedy(prompt, 0, List.of(), -1, true)).await().promptLogprobs().isEmpty(),
                "echo without logprobs needs no prompt logits");
    }

    @Test
    void runningStreamsKeepFlowingWhileALongPromptIsPrefilled() throws Exception {
        java.util.concurrent.atomic.AtomicInteger aTokens = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        Collector a = new Collector() {
            @Override
            public void onToken(GeneratedToken token) {
                super.onToken(token);
                aTokens.incrementAndGet();
                started.countDown();
            }
        };
        GenerationHandle ha = engine.submit(greedy(EngineFixtures.sequence("seq8"), 300, List.of(), -1, false), a);
        assertTrue(started.await(30, java.util.concurrent.TimeUnit.SECONDS));
        int before = aTokens.get();
        int[] atPromptDone = new int[1];
        Collector b = new Collector() {
            @Override
            public void onPromptEvaluated(int promptTokens) {
                super.onPromptEvaluated(promptTokens);
                atPromptDone[0] = aTokens.get();
            }
        };
        engine.submit(greedy(EngineFixtures.sequence("seq300"), 2, List.of(), -1, false), b);
        b.await();
        ha.cancel();
        assertEquals(FinishReason.CANCELLED, a.await().finishReason());
        // 300 prompt tokens in chunks of 32 take 10 steps; the running stream gets a token in each of them
        assertTrue(atPromptDone[0] - before >= 9, "stream A produced only " + (atPromptDone[0] - before)
                + " tokens while B's prompt was prefilled");
    }

    private static double logSumExp(float[] row, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, row[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(row[off + i] - max);
        }
        return max + Math.log(sum);
    }
}
