package dev.neox4j.engine.runtime;

import dev.neox4j.engine.sampling.SamplingSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prefix caching: hits, misses, partial matches, eviction, concurrency, cancellation and n > 1, each checked bit
 * for bit (tokens and logprobs) against an engine without the cache. A quantized model, whose prompt and generated
 * tokens take different matmul paths, so that reusing KV written by a generated token would show.
 */
class PrefixCacheTest {
    private static final String TYPE = "Q8_0";
    private static Engine cold;

    @BeforeAll
    static void open() throws Exception {
        cold = Engine.open(EngineFixtures.options(TYPE).toBuilder().prefixCache(false, 0).build());
    }

    @AfterAll
    static void close() {
        cold.close();
    }

    private static Engine cached(long maxTokens) throws Exception {
        return Engine.open(EngineFixtures.options(TYPE).toBuilder().prefixCache(true, maxTokens).build());
    }

    /** The first {@code n} tokens of seq300, then {@code tail} tokens from {@code salt}. */
    private static int[] prompt(int shared, int tail, int salt) {
        int[] p = Arrays.copyOf(EngineFixtures.sequence("seq300"), shared + tail);
        for (int i = 0; i < tail; i++) {
            p[shared + i] = 200 + (salt * 31 + i * 7) % 300;
        }
        return p;
    }

    private static GenerationRequest request(int[] prompt, long seed) {
        return GenerationRequest.builder(prompt).sampling(SamplingSettings.builder().temperature(0.9).topK(20)
                .seed(seed).maxTokens(12).ignoreEos(true).logprobs(3).build()).build();
    }

    private static Collector run(Engine e, GenerationRequest r) {
        Collector c = new Collector();
        e.submit(r, c);
        c.await();
        return c;
    }

    /** Same tokens and logprobs as the engine without cache. */
    private static void assertSameAsCold(Collector hit, GenerationRequest r) {
        Collector ref = run(cold, r);
        Completion a = hit.await();
        Completion b = ref.await();
        assertArrayEquals(b.tokens(), a.tokens());
        assertEquals(b.text(), a.text());
        for (int i = 0; i < a.tokens().length; i++) {
            assertEquals(ref.tokens.get(i).logprob(), hit.tokens.get(i).logprob(), "logprob of token " + i);
        }
    }

    @Test
    void hitsPartialMatchesAndMissesGiveTheColdAnswerBitForBit() throws Exception {
        try (Engine e = cached(0)) {
            GenerationRequest first = request(prompt(200, 20, 1), 5);
            Completion c1 = run(e, first).await();
            assertEquals(0, c1.usage().cachedTokens(), "nothing cached yet");
            assertEquals(220, c1.timings().promptN());

            GenerationRequest partial = request(prompt(200, 30, 2), 6);
            Collector c2 = run(e, partial);
            assertEquals(200, c2.await().usage().cachedTokens(), "the shared 200 tokens are reused");
            assertEquals(230, c2.await().usage().promptTokens());
            assertEquals(30, c2.await().timings().promptN(), "prompt_n counts only the tokens evaluated");
            assertSameAsCold(c2, partial);

            Collector repeat = run(e, first);
            assertEquals(219, repeat.await().usage().cachedTokens(), "an exact repeat still evaluates its last token");
            assertEquals(1, repeat.await().timings().promptN());
            assertSameAsCold(repeat, first);

            GenerationRequest other = request(prompt(0, 40, 3), 7);
            Collector miss = run(e, other);
            assertEquals(0, miss.await().usage().cachedTokens());
            assertSameAsCold(miss, other);

            EngineStats s = e.stats();
            assertEquals(4, s.prefixCacheQueries());
            assertEquals(200 + 219, s.prefixCacheHitTokens());
            assertTrue(s.prefixCacheTokens() >= 220, "retained: " + s.prefixCacheTokens());
        }
    }

    @Test
    void generatedTokensAreNeverReusedAsPromptPositions() throws Exception {
        try (Engine e = cached(0)) {
            GenerationRequest first = request(prompt(100, 0, 0), 9);
            Completion c = run(e, first).await();
            // the next prompt is the first one plus its own continuation: those positions were written by generated
            // tokens, so only the prompt part may come from the cache
            int[] next = Arrays.copyOf(first.prompt(), 100 + c.tokens().length);
            System.arraycopy(c.tokens(), 0, next, 100, c.tokens().length);
            GenerationRequest follow = request(next, 10);
            Collector hit = run(e, follow);
            assertEquals(99, hit.await().usage().cachedTokens(), "the first prompt's last token was fed like a "
                    + "generated one (Sequence.promptPathEnd), so it is not reused either");
            assertSameAsCold(hit, follow);
        }
    }

    @Test
    void shortPromptsAreFedLikeGeneratedTokensAndReuseNothing() throws Exception {
        try (Engine e = cached(0)) {
            int[] longer = prompt(0, 30, 13);
            run(e, request(longer, 1)); // its first positions are in the cache, on the prompt path
            for (int n : new int[] {1, Sequence.PROMPT_PATH_MIN_TOKENS - 1}) {
                GenerationRequest r = request(Arrays.copyOf(longer, n), 2);
                Collector c = run(e, r);
                assertEquals(0, c.await().usage().cachedTokens(), "a short prompt evaluates none of its tokens on "
                        + "the prompt path, so none of another prompt's positions is its own");
                assertEquals(n, c.await().timings().promptN());
                assertSameAsCold(c, r);
                Collector repeat = run(e, r);
                assertEquals(0, repeat.await().usage().cachedTokens());
                assertSameAsCold(repeat, r);
            }
            GenerationRequest atMin = request(Arrays.copyOf(longer, Sequence.PROMPT_PATH_MIN_TOKENS), 3);
            Collector hit = run(e, atMin);
            assertEquals(Sequence.PROMPT_PATH_MIN_TOKENS - 1, hit.await().usage().cachedTokens());
            assertSameAsCold(hit, atMin);
        }
    }

    @Test
    void leastRecentlyUsedPrefixesAreEvictedUnderTheBudget() throws Exception {
        try (Engine e = cached(100)) {
            GenerationRequest a = request(prompt(0, 80, 11), 1);
            GenerationRequest b = request(prompt(0, 80, 12), 2);
            run(e, a);
            run(e, b); // a and b together hold 160 > 100 idle positions: a, the older, is dropped
            assertEquals(79, run(e, b).await().usage().cachedTokens());
            Collector again = run(e, a);
            assertEquals(0, again.await().usage().cachedTokens(), "evicted");
            assertSameAsCold(again, a);
        }
    }

    @Test
    void concurrentRequestsSharingAPromptEvaluateItOnceAndMatchTheColdRun() throws Exception {
        try (Engine e = cached(0)) {
            int[] shared = prompt(150, 10, 4);
            List<Collector> all = new ArrayList<>();
            List<GenerationRequest> requests = new ArrayList<>();
            for (int i = 0; i < 4; i++) { // as an n = 4 request: same prompt, seeds seed + i
                GenerationRequest r = request(shared, 40 + i);
                requests.add(r);
                Collector c = new Collector();
                e.submit(r, c);
                all.add(c);
            }
            GenerationRequest other = request(prompt(150, 25, 5), 50); // a different request sharing 150 tokens
            Collector o = new Collector();
            e.submit(other, o);
            int evaluated = 0;
            for (int i = 0; i < all.size(); i++) {
                Completion c = all.get(i).await();
                evaluated += c.timings().promptN();
                assertSameAsCold(all.get(i), requests.get(i));
            }
            assertEquals(160 + 3, evaluated, "the shared prompt is evaluated once, the others only its last token");
            assertTrue(o.await().usage().cachedTokens() >= 150, "cached " + o.await().usage().cachedTokens());
            assertSameAsCold(o, other);
        }
    }

    @Test
    void aCancelledPrefillLeavesOnlyCompletedPositionsAndEchoLogprobsReuseNothing() throws Exception {
        try (Engine e = cached(0)) {
            GenerationRequest longOne = request(prompt(300, 0, 0), 3);
            Collector c = new Collector() {
                @Override
                public void onPromptEvaluated(int promptTokens) {
                    super.onPromptEvaluated(promptTokens);
                }
            };
            GenerationHandle h = e.submit(longOne, c);
            h.cancel();
            Completion cancelled = c.await();
            assertEquals(FinishReason.CANCELLED, cancelled.finishReason());
            Collector again = run(e, longOne);
            assertTrue(again.await().usage().cachedTokens() <= cancelled.usage().promptTokens(),
                    "reuses at most what the cancelled sequence computed");
            assertSameAsCold(again, longOne);

            GenerationRequest echo = GenerationRequest.builder(longOne.prompt()).echo(true)
                    .sampling(SamplingSettings.builder().temperature(0).maxTokens(2).logprobs(1).build()).build();
            Collector echoed = run(e, echo);
            assertEquals(0, echoed.await().usage().cachedTokens(), "prompt logprobs need every prompt row");
            assertEquals(run(cold, echo).await().promptLogprobs(), echoed.await().promptLogprobs());
        }
    }
}
