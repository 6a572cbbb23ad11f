package dev.neox4j.engine.runtime;

import dev.neox4j.engine.sampling.SamplingSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Same seed, same tokens; batched equals alone; thread count does not matter. */
class EngineDeterminismTest {
    private static Engine engine;

    @BeforeAll
    static void open() throws Exception {
        engine = Engine.open(EngineFixtures.options("Q8_0").withThreads(2).withKvCacheType(KvCacheType.F16));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** Eight different requests: greedy and sampled, with and without logprobs, echo, penalties. */
    static List<GenerationRequest> eightRequests() {
        int[] seq8 = EngineFixtures.sequence("seq8");
        int[] seq64 = EngineFixtures.sequence("seq64");
        List<GenerationRequest> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int[] prompt = i % 2 == 0 ? Arrays.copyOf(seq64, 20 + 5 * i) : Arrays.copyOfRange(seq8, 0, 3 + i / 2);
            SamplingSettings p = i % 3 == 0 ? SamplingSettings.GREEDY
                    : SamplingSettings.builder().temperature(0.9f).topK(i == 1 ? 20 : 0).topP(i == 5 ? 0.9f : 1f)
                            .minP(i == 7 ? 0.05f : 0f).repetitionPenalty(i == 4 ? 1.2f : 1f)
                            .presencePenalty(i == 2 ? 0.5f : 0f).logitBias(i == 7 ? Map.of(5, 3f) : Map.of())
                            .seed(100L + i).build();
            out.add(GenerationRequest.builder(prompt).sampling(p.toBuilder().maxTokens(12 + i).ignoreEos(true)
                    .logprobs(i % 2 == 0 ? 5 : -1).build()).echo(i == 4).source("test").build());
        }
        return out;
    }

    static Collector run(Engine e, GenerationRequest r) {
        Collector c = new Collector();
        e.submit(r, c);
        c.await();
        return c;
    }

    @Test
    void sameSeedGivesSameTokensAndAnotherSeedOthers() {
        SamplingSettings a = SamplingSettings.builder().temperature(1.0f).seed(7L).build();
        SamplingSettings b = SamplingSettings.builder().temperature(1.0f).seed(8L).build();
        int[] prompt = EngineFixtures.sequence("seq8");
        GenerationRequest ra = GenerationRequest.builder(prompt).sampling(a.toBuilder().maxTokens(24)
                .ignoreEos(true).build()).source("t").build();
        GenerationRequest rb = GenerationRequest.builder(prompt).sampling(b.toBuilder().maxTokens(24)
                .ignoreEos(true).build()).source("t").build();
        int[] first = run(engine, ra).await().tokens();
        assertArrayEquals(first, run(engine, ra).await().tokens());
        assertFalse(Arrays.equals(first, run(engine, rb).await().tokens()),
                "seed 8 should sample differently from seed 7");
    }

    @Test
    void eightConcurrentRequestsEqualTheSameRunOneAtATime() {
        List<GenerationRequest> requests = eightRequests();
        List<Collector> alone = new ArrayList<>();
        for (GenerationRequest r : requests) {
            alone.add(run(engine, r));
        }
        List<Collector> collectors = new ArrayList<>();
        for (GenerationRequest r : requests) {
            Collector c = new Collector();
            engine.submit(r, c);
            collectors.add(c);
        }
        for (int i = 0; i < requests.size(); i++) {
            collectors.get(i).await();
            assertSame(alone.get(i), collectors.get(i), "request " + i);
        }
    }

    @Test
    void oneThreadAndTwoThreadsGiveIdenticalResults() throws Exception {
        List<GenerationRequest> requests = eightRequests().subList(0, 4);
        try (Engine one = Engine.open(EngineFixtures.options("Q8_0").withThreads(1).withKvCacheType(KvCacheType.F16))) {
            for (int i = 0; i < requests.size(); i++) {
                assertSame(run(one, requests.get(i)), run(engine, requests.get(i)), "request " + i);
            }
        }
    }

    private static void assertSame(Collector expectedRun, Collector actualRun, String what) {
        Completion expected = expectedRun.await();
        Completion actual = actualRun.await();
        assertEquals(expected.finishReason(), actual.finishReason(), what);
        assertEquals(expectedRun.tokens, actualRun.tokens, what + " streamed tokens with logprobs");
        assertArrayEquals(expected.tokens(), actual.tokens(), what + " tokens");
        assertEquals(expected.text(), actual.text(), what + " text");
        assertEquals(expected.promptLogprobs(), actual.promptLogprobs(), what + " prompt logprobs");
        assertEquals(actual.text(), actualRun.streamedText(), what + " streamed text");
        assertEquals(expected.usage(), actual.usage(), what + " usage");
    }
}
