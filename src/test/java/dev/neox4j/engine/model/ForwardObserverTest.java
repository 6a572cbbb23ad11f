package dev.neox4j.engine.model;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.kernel.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** The forward pass's observer hooks: what they see, and that watching changes nothing. */
class ForwardObserverTest {

    /** Records every residual row and attention row of one sequence. */
    private static final class Recorder implements ForwardObserver {
        final float[][][] residual; // [n_layer + 1][n][E]
        final float[][][][] attention; // [n_layer][n_head][n][n]
        final int embd;
        int calls;

        Recorder(NeoxHParams hp, int n) {
            embd = hp.embeddingLength();
            residual = new float[hp.blockCount() + 1][n][];
            attention = new float[hp.blockCount()][hp.headCount()][n][n];
        }

        @Override
        public void residual(int layer, int position, float[] x, int off) {
            residual[layer][position] = Arrays.copyOfRange(x, off, off + embd);
            calls++;
        }

        @Override
        public boolean wantsAttention(int block) {
            return true;
        }

        @Override
        public void attention(int block, int position, int head, float[] probs, int off) {
            System.arraycopy(probs, off, attention[block][head][position], 0, position + 1);
        }
    }

    @Test
    void observedTokensComputeTheSameAndTheLastResidualUnembedsToTheLogits() {
        try (GgufFile file = ModelFixtures.open("Q8_0")) {
            NeoxModel m = NeoxModel.load(file);
            NeoxHParams hp = m.hparams();
            int[] tokens = Arrays.copyOf(ModelFixtures.tokens("seq64"), 24);
            int n = tokens.length;
            int v = hp.vocabSize();
            NeoxForward fwd = new NeoxForward(m, Kernels.select("auto"), ParallelFor.SERIAL, 64);

            KvCache plainCache = KvCache.forModel(hp, 64, KvCache.ElementType.F16);
            float[] plain = ForwardRunner.batch(fwd, plainCache, tokens, true);

            // the observed sequence shares the batch with an unobserved one
            Recorder rec = new Recorder(hp, n);
            KvCache watched = KvCache.forModel(hp, 64, KvCache.ElementType.F16);
            KvCache other = KvCache.forModel(hp, 64, KvCache.ElementType.F16);
            ForwardBatch b = new ForwardBatch();
            for (int i = 0; i < n; i++) {
                b.add(watched, tokens[i], true, true, rec);
                b.add(other, tokens[n - 1 - i], false, true);
            }
            assertTrue(b.observed());
            float[] observed = Arrays.copyOf(fwd.forward(b), n * v);
            assertArrayEquals(plain, observed, "observing changes no logit");
            assertEquals((hp.blockCount() + 1) * n, rec.calls, "one residual row per layer and token");

            // the final residual, unembedded, is the model's output bit for bit
            float[] rows = new float[n * hp.embeddingLength()];
            for (int t = 0; t < n; t++) {
                System.arraycopy(rec.residual[hp.blockCount()][t], 0, rows, t * hp.embeddingLength(),
                        hp.embeddingLength());
            }
            float[] lens = new float[n * v];
            fwd.unembed(rows, n, n, lens);
            assertArrayEquals(plain, lens);

            // layer 0 is the token embedding; attention rows are causal distributions
            float[] emb = new float[hp.embeddingLength()];
            for (int t = 0; t < n; t++) {
                m.embed(tokens[t], emb, 0);
                assertArrayEquals(emb, rec.residual[0][t]);
                for (int l = 0; l < hp.blockCount(); l++) {
                    for (int h = 0; h < hp.headCount(); h++) {
                        double sum = 0;
                        for (int j = 0; j < n; j++) {
                            if (j > t) {
                                assertEquals(0f, rec.attention[l][h][t][j]);
                            }
                            sum += rec.attention[l][h][t][j];
                        }
                        assertEquals(1.0, sum, 2e-3, "f16-rounded probabilities sum to 1");
                    }
                }
            }
            assertArrayEquals(new float[] {1f}, Arrays.copyOf(rec.attention[0][0][0], 1), "position 0 sees itself");
        }
    }

    @Test
    void anObservedTokenMustWantItsLogits() {
        try (GgufFile file = ModelFixtures.open("Q8_0")) {
            NeoxHParams hp = NeoxModel.load(file).hparams();
            KvCache c = KvCache.forModel(hp, 8, KvCache.ElementType.F16);
            ForwardBatch b = new ForwardBatch();
            assertThrows(IllegalArgumentException.class, () -> b.add(c, 1, false, true, (l, p, x, o) -> { }));
            b.add(c, 1, true, true, (l, p, x, o) -> { });
            assertTrue(b.observed());
            b.clear();
            assertFalse(b.observed());
        }
    }
}
