package dev.neox4j.engine.runtime;

import dev.neox4j.engine.sampling.SamplingSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End-to-end greedy decoding through the engine (scheduler, KV slots, sampler) against llama.cpp's greedy
 * continuations for every fixture model: tokens must agree until a position where the golden's top-2 logit gap
 * is within the type's error bound (there a different choice is legitimate and the continuations may diverge).
 */
class EngineGoldenTest {

    static List<String> types() {
        return EngineFixtures.types();
    }

    @ParameterizedTest
    @MethodSource("types")
    void greedyContinuationMatchesLlamaCpp(String type) throws Exception {
        try (Engine engine = Engine.open(EngineFixtures.options(type))) {
            for (String seq : List.of("seq8", "seq64")) {
                int[] prompt = EngineFixtures.sequence(seq);
                int[] golden = EngineFixtures.greedy(type, seq);
                float[] goldenLogits = EngineFixtures.greedyLogits(type, seq);
                int vocab = engine.modelInfo().vocabSize();
                Collector c = new Collector();
                GenerationRequest r = GenerationRequest.builder(prompt).sampling(SamplingSettings.builder()
                        .temperature(0).maxTokens(golden.length).ignoreEos(true).build()).source("test").build();
                engine.submit(r, c);
                Completion done = c.await();
                assertEquals(FinishReason.LENGTH, done.finishReason());
                assertEquals(golden.length, done.tokens().length);
                double tol = EngineFixtures.tolerance(type);
                for (int s = 0; s < golden.length; s++) {
                    if (done.tokens()[s] == golden[s]) {
                        continue;
                    }
                    double gap = top2Gap(goldenLogits, s * vocab, vocab);
                    assertTrue(gap <= tol, type + " " + seq + ": step " + s + " chose " + done.tokens()[s]
                            + " instead of " + golden[s] + " although the golden top-2 gap is " + gap);
                    break;
                }
            }
        }
    }

    static double top2Gap(float[] logits, int off, int n) {
        float a = Float.NEGATIVE_INFINITY;
        float b = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = logits[off + i];
            if (v > a) {
                b = a;
                a = v;
            } else if (v > b) {
                b = v;
            }
        }
        return a - b;
    }
}
