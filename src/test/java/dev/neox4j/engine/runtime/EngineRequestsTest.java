package dev.neox4j.engine.runtime;

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
        engine = Engine.open(EngineFixtures.options("F32").toBuilder().contextLength(320).build());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static GenerationRequest greedy(int[] prompt, int max, List<String> stop, int logprobs, boolean echo) {
        return new GenerationRequest(prompt, max, SamplingParams.GREEDY, stop, true, logprobs, echo, 0, false, "t");
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
        SamplingParams hot = new SamplingParams(5f, 3, 1f, 0f, 1f, 0f, 0f, Map.of(), 3L);
        Collector sampled = run(new GenerationRequest(prompt, 1, hot, List.of(), true, 5, false, 0, false, "t"));
        assertEquals(g.top(), sampled.tokens.get(0).logprob().top(), "alternatives do not depend on temperature");
    }

    @Test
    void contextEndFinishesWithLength() {
        int[] prompt = Arrays.copyOf(EngineFixtures.sequence("seq300"), 316);
        for (int i = 300; i < 316; i++) {
            prompt[i] = 100 + i - 300;
        }
        Completion c = run(greedy(prompt, 100, List.of(), -1, false)).await();
        assertEquals(FinishReason.LENGTH, c.finishReason());
        assertEquals(320 - 316 + 1, c.tokens().length, "positions 316..319 are fed, the last token is not");
    }

    @Test
    void tooLongPromptIsRefusedUnlessTruncationIsAsked() {
        int[] prompt = new int[400];
        Arrays.fill(prompt, 42);
        var e = assertThrows(ContextOverflowException.class, () -> engine.submit(greedy(prompt, 4, List.of(), -1,
                false), new Collector()));
        assertEquals(400, e.promptTokens());
        assertEquals(320, e.contextLength());
        Collector c = new Collector();
        engine.submit(new GenerationRequest(prompt, 4, null, List.of(), true, -1, false, 0, true, "t"), c);
        Completion done = c.await();
        assertEquals(316, done.usage().promptTokens(), "keeps the last tokens, leaving room for max tokens");
        assertEquals(4, done.tokens().length);
    }

    @Test
    void invalidRequestsAreRefusedWithAClearMessage() {
        Collector c = new Collector();
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> engine.submit(greedy(new int[0], 1, List.of(), -1, false), c)).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> engine.submit(greedy(new int[] {1, 512}, 1, List.of(), -1, false), c)).getMessage()
                .contains("512"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> engine.submit(greedy(new int[] {1}, 1, List.of(), 21, false), c)).getMessage()
                .contains("logprobs"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> engine.submit(greedy(new int[] {1}, -1, List.of(), -1, false), c)).getMessage()
                .contains("max tokens"));
        SamplingParams bad = new SamplingParams(1f, 0, 2f, 0f, 1f, 0f, 0f, Map.of(), 1L);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.submit(new GenerationRequest(
                new int[] {1}, 1, bad, List.of(), false, -1, false, 0, false, "t"), c)).getMessage()
                .contains("top_p"));
        SamplingParams bias = new SamplingParams(1f, 0, 1f, 0f, 1f, 0f, 0f, Map.of(9999, 1f), 1L);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.submit(new GenerationRequest(
                new int[] {1}, 1, bias, List.of(), false, -1, false, 0, false, "t"), c)).getMessage()
                .contains("9999"));
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
        GenerationHandle ha = engine.submit(greedy(EngineFixtures.sequence("seq8"), 1000, List.of(), -1, false), a);
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
