package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.ForwardObserver;
import dev.neox4j.engine.model.NeoxForward;
import dev.neox4j.engine.model.NeoxHParams;
import dev.neox4j.engine.sampling.Logprobs;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects an {@link Inspection} while the scheduler evaluates the prompt chunk by chunk: copies the asked
 * residual-stream layers and attention probabilities as the forward pass produces them, and after each chunk
 * applies the logit lens ({@link NeoxForward#unembed}) to every layer's rows of that chunk, keeping only the top
 * {@code k}. Memory: the asked tensors plus one chunk of residual rows per layer and one chunk of logits.
 */
final class Inspector implements RequestProbe, ForwardObserver {

    private final int[] tokens;
    private final int layers;          // n_layer + 1 residual layers
    private final int embd;
    private final int vocab;
    private final int topK;            // 0: no lens
    private final int chunkMax;        // most prompt positions per evaluated chunk
    private final int[] hiddenOrder;   // asked residual layers, in request order
    private final int[] attentionOrder;
    private final float[][][] hidden;  // [layers][n][E] or null per layer
    private final float[][][][] attention; // [n_layer][n_head][n][n] or null per block
    private final float[][] chunkRows; // [layers][chunkMax * E] residual rows of the current chunk (lens only)
    private final float[] lensLogits;  // [chunkMax][V]
    private final int[][][] lensIds;   // [layers][n][k]
    private final float[][][] lensLogprobs;
    private int chunkStart;            // first position of the chunk being evaluated
    private final int promptPathEnd;   // positions below it are fed on the prompt path (Sequence.promptPathEnd)

    /**
     * @param chunkMax most prompt positions the scheduler evaluates per step for this request
     */
    Inspector(InspectRequest r, int[] prompt, NeoxHParams hp, int chunkMax) {
        this.tokens = prompt;
        this.promptPathEnd = Sequence.promptPathEnd(prompt.length);
        this.layers = hp.blockCount() + 1;
        this.embd = hp.embeddingLength();
        this.vocab = hp.vocabSize();
        this.topK = r.lensTopK();
        this.chunkMax = chunkMax;
        this.hiddenOrder = r.hiddenLayers();
        this.attentionOrder = r.attentionLayers();
        int n = prompt.length;
        hidden = new float[layers][][];
        for (int l : hiddenOrder) {
            hidden[l] = new float[n][embd];
        }
        attention = new float[hp.blockCount()][][][];
        for (int b : attentionOrder) {
            attention[b] = new float[hp.headCount()][n][n];
        }
        if (topK > 0) {
            chunkRows = new float[layers][chunkMax * embd];
            lensLogits = new float[chunkMax * vocab];
            lensIds = new int[layers][n][];
            lensLogprobs = new float[layers][n][];
        } else {
            chunkRows = null;
            lensLogits = null;
            lensIds = null;
            lensLogprobs = null;
        }
    }

    // ------------------------------------------------------------------ RequestProbe

    @Override
    public ForwardObserver observer() {
        return this;
    }

    @Override
    public boolean wantsLogits(int p) {
        return true; // observed rows must reach the last block
    }

    @Override
    public void evaluated(int from, int to, float[] logits, int rowStart, NeoxForward forward) {
        if (topK > 0) {
            int rows = to - from;
            int promptRows = Math.max(0, Math.min(to, promptPathEnd) - from); // the rows' matmul paths, as fed
            for (int l = 0; l < layers; l++) {
                forward.unembed(chunkRows[l], rows, promptRows, lensLogits);
                for (int r = 0; r < rows; r++) {
                    Logprobs.Result top = Logprobs.compute(lensLogits, r * vocab, vocab, 0, topK);
                    lensIds[l][from + r] = top.topIds();
                    lensLogprobs[l][from + r] = top.topLogprobs();
                }
            }
        }
        chunkStart = to;
    }

    // ------------------------------------------------------------------ ForwardObserver

    @Override
    public void residual(int layer, int position, float[] x, int off) {
        if (hidden[layer] != null) {
            System.arraycopy(x, off, hidden[layer][position], 0, embd);
        }
        if (chunkRows != null) {
            int row = position - chunkStart;
            if (row < 0 || row >= chunkMax) {
                throw new IllegalStateException("position " + position + " outside the chunk from " + chunkStart);
            }
            System.arraycopy(x, off, chunkRows[layer], row * embd, embd);
        }
    }

    @Override
    public boolean wantsAttention(int block) {
        return attention[block] != null;
    }

    @Override
    public void attention(int block, int position, int head, float[] probs, int off) {
        System.arraycopy(probs, off, attention[block][head][position], 0, position + 1);
    }

    // ------------------------------------------------------------------ result

    /** The inspection, once every prompt position has been evaluated. */
    Inspection result() {
        List<Inspection.LensLayer> lens = new ArrayList<>();
        if (topK > 0) {
            for (int l = 0; l < layers; l++) {
                lens.add(new Inspection.LensLayer(l, lensIds[l], lensLogprobs[l]));
            }
        }
        List<Inspection.HiddenStates> hs = new ArrayList<>(hiddenOrder.length);
        for (int l : hiddenOrder) {
            hs.add(new Inspection.HiddenStates(l, hidden[l]));
        }
        List<Inspection.AttentionProbs> att = new ArrayList<>(attentionOrder.length);
        for (int b : attentionOrder) {
            att.add(new Inspection.AttentionProbs(b, attention[b]));
        }
        return new Inspection(tokens.clone(), List.copyOf(lens), List.copyOf(hs), List.copyOf(att));
    }
}
