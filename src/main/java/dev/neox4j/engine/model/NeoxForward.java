package dev.neox4j.engine.model;

import dev.neox4j.engine.tensor.ActivationFormat;
import dev.neox4j.engine.tensor.Activations;
import dev.neox4j.engine.tensor.ParallelFor;
import dev.neox4j.engine.tensor.RangeTask;
import dev.neox4j.engine.tensor.WeightMatrix;
import dev.neox4j.engine.tensor.kernel.AttentionDots;
import dev.neox4j.engine.tensor.kernel.MatmulKernels;

import java.util.Objects;

/**
 * The GPT-NeoX forward pass as llama.cpp evaluates it (docs/gpt-neox.md, "The forward pass"), for a
 * {@link ForwardBatch} of up to {@code maxBatchTokens} tokens from one or more sequences.
 *
 * <p>Every weight matmul converts its input rows once to the weight type's activation format and then splits the
 * output rows over the {@link ParallelFor}; attention is split over (token, head) pairs. No work item depends on
 * how the work is split or on the other tokens of the batch, so the logits of a token are bit-identical whatever
 * the thread count, whether the prompt is evaluated in one batch or token by token, and whatever other sequences
 * share the batch.
 *
 * <p>All buffers are allocated up front for {@code maxBatchTokens} rows (the logits buffer grows to the largest
 * number of logit rows requested so far); a forward pass allocates nothing. Not thread-safe: one instance serves
 * one caller at a time (the scheduler thread).
 */
public final class NeoxForward {

    private final NeoxModel model;
    private final NeoxHParams hp;
    private final MatmulKernels kernels;
    private final ParallelFor pool;
    private final int maxBatchTokens;
    private final Rope rope;

    // T = maxBatchTokens, E = n_embd, F = n_ff, V = n_vocab, L = rows whose logits are wanted
    private final int[] positions;      // [T]     position of each batch entry in its sequence
    private final int[] rowEntry;       // [T]     batch entry computed in each row (identity until the last layer)
    private final boolean[] rowPrompt;  // [T]     whether each row is a prompt token (kernels' faster path)
    private final float[] x;            // [T][E]  residual stream
    private final float[] h;            // [T][E]  LayerNorm output, the input of the next matmul
    private final float[] qkv;          // [T][3E] fused projection: Q | K | V, each head h at [h*hd, (h+1)*hd)
    private final float[] heads;        // [T][E]  attention output of all heads, concatenated
    private final float[] attn;         // [T][E]  attention block output (after attn_output)
    private final float[] up;           // [T][F]  GELU(ffn_up · h + b)
    private final float[] mlp;          // [T][E]  MLP block output (after ffn_down)
    private final float[] ropeCos;      // [n_rot/2]
    private final float[] ropeSin;      // [n_rot/2]
    private float[] logits;             // [L][V]  grows, never shrinks
    private final Activations act;      // matmul input rows in the weight type's activation format

    private final MatmulJob matmulJob = new MatmulJob();
    private final AttentionJob attentionJob;

    /**
     * @param model          the weights
     * @param kernels        matmul kernels (scalar or vector)
     * @param pool           threads to split matmuls and attention over
     * @param maxBatchTokens most tokens a single {@link #forward} call may carry
     */
    public NeoxForward(NeoxModel model, MatmulKernels kernels, ParallelFor pool, int maxBatchTokens) {
        Objects.requireNonNull(model, "model");
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        this.pool = Objects.requireNonNull(pool, "pool");
        // the weights in the layout the kernels read fastest (Q4_0 repacked once here, over the pool)
        this.model = model.withMatrices(w -> kernels.prepare(w, pool));
        if (maxBatchTokens <= 0) {
            throw new IllegalArgumentException("maxBatchTokens must be > 0, got " + maxBatchTokens);
        }
        this.hp = model.hparams();
        int e = hp.embeddingLength();
        long widest = Math.max(3L * e, hp.feedForwardLength());
        if (widest * maxBatchTokens > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxBatchTokens " + maxBatchTokens + " is too large for n_ff "
                    + hp.feedForwardLength() + " (a buffer would exceed 2^31 floats)");
        }
        this.maxBatchTokens = maxBatchTokens;
        this.rope = new Rope(hp.ropeDims(), hp.ropeFreqBase());
        int t = maxBatchTokens;
        positions = new int[t];
        rowEntry = new int[t];
        rowPrompt = new boolean[t];
        x = new float[t * e];
        h = new float[t * e];
        qkv = new float[t * 3 * e];
        heads = new float[t * e];
        attn = new float[t * e];
        up = new float[t * hp.feedForwardLength()];
        mlp = new float[t * e];
        ropeCos = new float[hp.ropeDims() / 2];
        ropeSin = new float[hp.ropeDims() / 2];
        logits = new float[hp.vocabSize()];
        act = kernels.newActivations();
        attentionJob = new AttentionJob(pool.threads(), t);
    }

    /** The model this pass evaluates. */
    public NeoxModel model() {
        return model;
    }

    /** Most tokens one {@link #forward} call accepts. */
    public int maxBatchTokens() {
        return maxBatchTokens;
    }

    /**
     * Evaluates the batch: appends every token's K and V to its cache (advancing each cache's length by its number
     * of tokens) and computes the logits of the tokens that asked for them.
     *
     * @return logits rows, {@code n_vocab} floats each, in batch order of the tokens with {@code wantLogits}: row
     *         {@link ForwardBatch#logitRow(int)} starts at {@code row * n_vocab}. The array is a reused buffer,
     *         overwritten by the next call, and may be longer than {@code batch.logitCount() * n_vocab}.
     * @throws IllegalArgumentException if the batch is too large, holds a token outside the vocabulary, a cache of
     *         another shape, or a position beyond its cache's capacity (caches are left unchanged)
     */
    public float[] forward(ForwardBatch batch) {
        int n = batch.size();
        if (n == 0) {
            return logits;
        }
        validate(batch);
        batch.resolvePositions();
        final int e = hp.embeddingLength();
        final int hd = hp.headDim();
        final int nHead = hp.headCount();
        final int nLayer = hp.blockCount();
        final int nLogits = batch.logitCount();
        for (int i = 0; i < n; i++) {
            positions[i] = batch.position(i);
            rowEntry[i] = i;
            rowPrompt[i] = batch.isPrompt(i);
        }

        // token embeddings                                                  x: [n][E]
        for (int i = 0; i < n; i++) {
            model.embed(batch.token(i), x, i * e);
        }
        if (batch.observed()) {
            observeResiduals(batch, 0, n);
        }

        int rows = n; // rows of x still being computed; row r holds batch entry rowEntry[r]
        for (int l = 0; l < nLayer; l++) {
            NeoxLayer w = model.layer(l);

            // attention input norm                                          h: [n][E]
            layerNorm(x, w.attnNormWeight(), w.attnNormBias(), h, n);
            // fused projection, weight [3E][E]                              qkv: [n][3E]
            matmul(w.qkv(), h, n, qkv, w.qkvBias(), false);
            // RoPE on the first n_rot dims of every Q and K head; K and V into the caches
            for (int i = 0; i < n; i++) {
                int base = i * 3 * e;
                rope.angles(positions[i], ropeCos, ropeSin);
                for (int hh = 0; hh < nHead; hh++) {
                    rope.rotate(qkv, base + hh * hd, ropeCos, ropeSin);         // Q
                    rope.rotate(qkv, base + e + hh * hd, ropeCos, ropeSin);     // K
                }
                batch.cache(i).write(l, positions[i], qkv, base + e, qkv, base + 2 * e);
            }

            if (l == nLayer - 1) {
                // as llama.cpp does: past the KV write, the last layer only computes rows whose logits are wanted
                rows = keepLogitRows(batch);
                if (rows == 0) {
                    break;
                }
            }

            // causal attention of each row against its own cache            heads: [rows][E]
            attentionJob.prepare(batch, l, rows);
            pool.run(attentionJob.chunks(), attentionJob);
            // output projection, weight [E][E]                              attn: [rows][E]
            matmul(w.attnOutput(), heads, rows, attn, w.attnOutputBias(), false);

            int len = rows * e;
            if (hp.parallelResidual()) {
                // MLP of LayerNorm(x) (not of x + attn)                     h: [rows][E]
                layerNorm(x, w.ffnNormWeight(), w.ffnNormBias(), h, rows);
                // up projection + GELU, weight [F][E]                       up: [rows][F]
                matmul(w.ffnUp(), h, rows, up, w.ffnUpBias(), true);
                // down projection, weight [E][F]                            mlp: [rows][E]
                matmul(w.ffnDown(), up, rows, mlp, w.ffnDownBias(), false);
                for (int i = 0; i < len; i++) {
                    x[i] = (mlp[i] + x[i]) + attn[i]; // llama.cpp's add order
                }
            } else {
                for (int i = 0; i < len; i++) {
                    x[i] = attn[i] + x[i];
                }
                layerNorm(x, w.ffnNormWeight(), w.ffnNormBias(), h, rows);
                matmul(w.ffnUp(), h, rows, up, w.ffnUpBias(), true);
                matmul(w.ffnDown(), up, rows, mlp, w.ffnDownBias(), false);
                for (int i = 0; i < len; i++) {
                    x[i] = mlp[i] + x[i];
                }
            }
            if (batch.observed()) {
                observeResiduals(batch, l + 1, rows);
            }
        }

        // final norm and LM head for the rows that want logits               h: [L][E], logits: [L][V]
        if (nLogits > 0) {
            int v = hp.vocabSize();
            if (logits.length < nLogits * v) {
                logits = new float[nLogits * v];
            }
            layerNorm(x, model.outputNormWeight(), model.outputNormBias(), h, nLogits);
            matmul(model.output(), h, nLogits, logits, null, false);
        }
        for (int i = 0; i < n; i++) {
            batch.cache(i).advance(1);
        }
        return logits;
    }

    /**
     * The logit lens: the final LayerNorm and the LM head applied to {@code rows} residual-stream rows, exactly as
     * the forward pass applies them to the last block's output (each row on the matmul path its token took, so a
     * row of the last block's stream gives the bit-identical logits of {@link #forward}). Uses this pass's scratch
     * buffers: call it between forward passes, from the same thread.
     *
     * @param residual   [rows][n_embd] input rows
     * @param rows       at most {@link #maxBatchTokens()}
     * @param promptRows how many of the first rows were added as prompt tokens
     *                   ({@link ForwardBatch#add(KvCache, int, boolean, boolean)}); the rest as generated ones
     * @param out        receives [rows][n_vocab] logits
     */
    public void unembed(float[] residual, int rows, int promptRows, float[] out) {
        int e = hp.embeddingLength();
        if (rows < 0 || rows > maxBatchTokens || residual.length < rows * e
                || out.length < (long) rows * hp.vocabSize() || promptRows < 0 || promptRows > rows) {
            throw new IllegalArgumentException("unembed: " + rows + " rows (" + promptRows
                    + " prompt rows) do not fit the buffers");
        }
        java.util.Arrays.fill(rowPrompt, 0, promptRows, true);
        java.util.Arrays.fill(rowPrompt, promptRows, rows, false);
        layerNorm(residual, model.outputNormWeight(), model.outputNormBias(), h, rows);
        matmul(model.output(), h, rows, out, null, false);
    }

    /** Hands the residual rows of observed entries to their observers ({@code layer} 0 = embeddings). */
    private void observeResiduals(ForwardBatch batch, int layer, int rows) {
        int e = hp.embeddingLength();
        for (int r = 0; r < rows; r++) {
            int entry = rowEntry[r];
            ForwardObserver o = batch.observer(entry);
            if (o != null) {
                o.residual(layer, positions[entry], x, r * e);
            }
        }
    }

    private void validate(ForwardBatch batch) {
        int n = batch.size();
        if (n > maxBatchTokens) {
            throw new IllegalArgumentException("batch of " + n + " tokens exceeds maxBatchTokens " + maxBatchTokens);
        }
        if ((long) batch.logitCount() * hp.vocabSize() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(batch.logitCount() + " logit rows of " + hp.vocabSize()
                    + " exceed the largest array");
        }
        for (int i = 0; i < n; i++) {
            int tok = batch.token(i);
            if (tok < 0 || tok >= hp.vocabSize()) {
                throw new IllegalArgumentException("batch entry " + i + ": token id " + tok
                        + " outside the vocabulary 0.." + (hp.vocabSize() - 1));
            }
            KvCache c = batch.cache(i);
            if (c.layers() != hp.blockCount() || c.embeddingLength() != hp.embeddingLength()) {
                throw new IllegalArgumentException("batch entry " + i + ": KV cache shaped for " + c.layers()
                        + " layers x " + c.embeddingLength() + " does not fit this model (" + hp.blockCount()
                        + " x " + hp.embeddingLength() + ")");
            }
        }
    }

    /**
     * Moves the residual rows of the entries that want logits to the front, in batch order (row k = logit row k),
     * and returns their number.
     */
    private int keepLogitRows(ForwardBatch batch) {
        int e = hp.embeddingLength();
        int k = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (batch.wantsLogits(i)) {
                if (k != i) {
                    System.arraycopy(x, i * e, x, k * e, e); // k < i: the source row is not needed any more
                }
                rowPrompt[k] = batch.isPrompt(i);
                rowEntry[k++] = i;
            }
        }
        return k;
    }

    /** LayerNorm of the first {@code rows} rows of {@code in} into {@code out} (both [rows][E]). */
    private void layerNorm(float[] in, float[] weight, float[] bias, float[] out, int rows) {
        int e = hp.embeddingLength();
        for (int r = 0; r < rows; r++) {
            LayerNorm.apply(in, r * e, weight, bias, hp.layerNormEps(), out, r * e, e);
        }
    }

    /**
     * {@code out[b][o] = GELU?(dot(w row o, in row b) + bias[o])} for {@code b < rows}: the input is converted once
     * to the weight's activation format, then the output rows are split over the pool.
     */
    private void matmul(WeightMatrix w, float[] in, int rows, float[] out, float[] bias, boolean gelu) {
        act.markPromptRows(rowPrompt, rows);
        kernels.quantize(in, 0, rows, w.cols(), MatmulKernels.activationFormat(w.type()), act);
        matmulJob.set(w, out, rows, bias, gelu);
        pool.run(w.rows(), kernels.rowGrain(w, act), matmulJob);
        matmulJob.set(null, null, 0, null, false);
    }

    /** One matmul's work, split by output rows (reused; no allocation per call). */
    private final class MatmulJob implements RangeTask {
        private WeightMatrix w;
        private float[] out;
        private int batchRows;
        private float[] bias;
        private boolean gelu;

        void set(WeightMatrix w, float[] out, int batchRows, float[] bias, boolean gelu) {
            this.w = w;
            this.out = out;
            this.batchRows = batchRows;
            this.bias = bias;
            this.gelu = gelu;
        }

        @Override
        public void run(int r0, int r1) {
            int stride = w.rows();
            kernels.matmul(w, act, r0, r1, out, 0, stride);
            for (int b = 0; b < batchRows; b++) {
                int off = b * stride;
                if (bias != null) {
                    for (int r = r0; r < r1; r++) {
                        out[off + r] += bias[r];
                    }
                }
                if (gelu) {
                    Gelu.applyInPlace(out, off + r0, r1 - r0);
                }
            }
        }
    }

    /**
     * Attention of every (tile, head) pair. A tile is up to {@value AttentionDots#MAX_QUERIES} consecutive rows that
     * are consecutive positions of one sequence (a prompt chunk), so each key and value is read once per tile. Pairs
     * are dealt round-robin to {@code chunks()} chunks (which balances causal rows of different lengths); each chunk
     * owns one scratch buffer. A row's result does not depend on its tile, so tiling changes no bit.
     */
    private final class AttentionJob implements RangeTask {
        private final Attention.Scratch[] scratch; // [threads]
        private final int[] tileRow;               // [T] first row of each tile
        private final int[] tileLen;               // [T] rows in each tile
        private ForwardBatch batch;
        private int layer;
        private int tiles;
        private int items;
        private int chunks;
        private boolean observed; // some entry's observer wants this layer's attention probabilities

        AttentionJob(int threads, int maxRows) {
            scratch = new Attention.Scratch[Math.max(1, threads)];
            for (int i = 0; i < scratch.length; i++) {
                scratch[i] = new Attention.Scratch(kernels.newAttentionDots());
            }
            tileRow = new int[maxRows];
            tileLen = new int[maxRows];
        }

        void prepare(ForwardBatch batch, int layer, int rows) {
            this.batch = batch;
            this.layer = layer;
            int t = 0;
            for (int r = 0; r < rows; ) {
                int entry = rowEntry[r];
                int len = 1;
                while (len < AttentionDots.MAX_QUERIES && r + len < rows && rowEntry[r + len] == entry + len
                        && batch.cache(entry + len) == batch.cache(entry)
                        && positions[entry + len] == positions[entry] + len) {
                    len++;
                }
                tileRow[t] = r;
                tileLen[t++] = len;
                r += len;
            }
            this.tiles = t;
            this.items = t * hp.headCount();
            this.chunks = Math.min(scratch.length, items);
            this.observed = false;
            if (batch.observed()) {
                for (int r = 0; r < rows && !observed; r++) {
                    ForwardObserver o = batch.observer(rowEntry[r]);
                    observed = o != null && o.wantsAttention(layer);
                }
            }
        }

        int chunks() {
            return chunks;
        }

        @Override
        public void run(int c0, int c1) {
            int e = hp.embeddingLength();
            int hd = hp.headDim();
            int nHead = hp.headCount();
            float scale = hp.kqScale();
            for (int c = c0; c < c1; c++) {
                Attention.Scratch s = scratch[c];
                for (int item = c; item < items; item += chunks) {
                    int t = item / nHead;
                    int hh = item % nHead;
                    int r = tileRow[t];
                    int entry = rowEntry[r];
                    Attention.tile(qkv, entry * 3 * e + hh * hd, 3 * e, tileLen[t], batch.cache(entry), layer,
                            hh * hd, hd, positions[entry] + 1, scale, s, heads, r * e + hh * hd, e);
                    if (observed) {
                        observeAttention(entry, tileLen[t], hh, s);
                    }
                }
            }
        }

        /**
         * Hands the probabilities {@link Attention#tile} left in {@code s.scores} ([nq][n0 + nq - 1], query
         * {@code i} of the tile seeing {@code n0 + i} positions) to the observers of the tile's entries.
         */
        private void observeAttention(int entry, int nq, int head, Attention.Scratch s) {
            int nKeys = positions[entry] + nq;
            for (int i = 0; i < nq; i++) {
                ForwardObserver o = batch.observer(entry + i);
                if (o != null && o.wantsAttention(layer)) {
                    o.attention(layer, positions[entry + i], head, s.scores, i * nKeys);
                }
            }
        }
    }
}
