package dev.neox4j.engine.runtime;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.model.ForwardBatch;
import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.model.NeoxForward;
import dev.neox4j.engine.model.NeoxModel;
import dev.neox4j.engine.sampling.SamplingSettings;
import dev.neox4j.engine.tensor.kernel.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Which matmul path each prompt position takes ({@link Sequence#promptPathEnd}): the engine's logits of the first
 * generated token equal, bit for bit, a forward pass that adds every position but the last as a prompt token and
 * the last as a generated one, and for a prompt shorter than {@link Sequence#PROMPT_PATH_MIN_TOKENS} one that adds
 * them all as generated tokens. A quantized model, whose two paths round differently.
 */
class PromptPathTest {
    private static final String TYPE = "Q8_0";

    @Test
    void theRuleDependsOnThePromptLengthAlone() {
        int min = Sequence.PROMPT_PATH_MIN_TOKENS;
        assertEquals(0, Sequence.promptPathEnd(1));
        assertEquals(0, Sequence.promptPathEnd(min - 1));
        assertEquals(min - 1, Sequence.promptPathEnd(min));
        assertEquals(299, Sequence.promptPathEnd(300));
    }

    @ParameterizedTest(name = "prompt of {0} tokens")
    @ValueSource(ints = {1, 5, 8, 40})
    void theEnginesLogitsAreThoseOfTheRulesPaths(int length) throws Exception {
        int[] prompt = Arrays.copyOf(EngineFixtures.sequence("seq300"), length);
        float[] engine = firstTokenLogits(prompt);
        float[] rule = forward(prompt, Sequence.promptPathEnd(length));
        assertArrayEquals(rule, engine, "the logits the first token is sampled from");
        assertFalse(Arrays.equals(rule, forward(prompt, length)),
                "every position on the prompt path rounds differently (else this test shows nothing)");
    }

    /** The logits the engine samples the first generated token from, with a fresh engine (no prefix cache). */
    private static float[] firstTokenLogits(int[] prompt) throws Exception {
        float[][] seen = new float[1][];
        SequenceObserver observer = new SequenceObserver() {
            @Override
            public void tokenLogits(int index, float[] logits, int offset, int vocab) {
                if (index == 0) {
                    seen[0] = Arrays.copyOfRange(logits, offset, offset + vocab);
                }
            }
        };
        try (Engine e = Engine.open(EngineFixtures.options(TYPE).toBuilder().prefixCache(false, 0).build())) {
            Collector c = new Collector();
            e.submit(GenerationRequest.builder(prompt).observer(observer)
                    .sampling(SamplingSettings.builder().temperature(0).maxTokens(1).build()).build(), c);
            c.await();
        }
        return seen[0];
    }

    /** One forward pass over {@code prompt}, positions below {@code promptRows} added as prompt tokens. */
    private static float[] forward(int[] prompt, int promptRows) throws Exception {
        try (GgufFile file = GgufFile.open(EngineFixtures.model(TYPE)); WorkerPool pool = new WorkerPool(1)) {
            NeoxModel model = NeoxModel.load(file);
            NeoxForward fwd = new NeoxForward(model, Kernels.select("auto"), pool, prompt.length);
            try (KvCache cache = KvCache.forModel(model.hparams(), 512, KvCache.ElementType.F32)) {
                ForwardBatch b = new ForwardBatch();
                for (int p = 0; p < prompt.length; p++) {
                    b.add(cache, prompt[p], p == prompt.length - 1, p < promptRows);
                }
                return Arrays.copyOf(fwd.forward(b), model.vocabSize());
            }
        }
    }
}
