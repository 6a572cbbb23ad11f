package dev.neox4j.engine.model;

import dev.neox4j.engine.tensor.WeightMatrix;

/**
 * The weights of one transformer block ({@code blk.N.*}, docs/gpt-neox.md, "Tensors"). E = n_embd, F = n_ff.
 * Matrices are views of the mapped file; the 1-D norms and biases were dequantized to f32 once at load.
 *
 * @param attnNormWeight [E]      input LayerNorm weight
 * @param attnNormBias   [E]      input LayerNorm bias
 * @param qkv            [3E][E]  fused Q|K|V projection (rows 0..E-1 = Q, E..2E-1 = K, 2E..3E-1 = V)
 * @param qkvBias        [3E]
 * @param attnOutput     [E][E]   attention output projection
 * @param attnOutputBias [E]
 * @param ffnNormWeight  [E]      post-attention LayerNorm weight
 * @param ffnNormBias    [E]
 * @param ffnUp          [F][E]   MLP up projection
 * @param ffnUpBias      [F]
 * @param ffnDown        [E][F]   MLP down projection
 * @param ffnDownBias    [E]
 */
record NeoxLayer(float[] attnNormWeight, float[] attnNormBias,
                 WeightMatrix qkv, float[] qkvBias,
                 WeightMatrix attnOutput, float[] attnOutputBias,
                 float[] ffnNormWeight, float[] ffnNormBias,
                 WeightMatrix ffnUp, float[] ffnUpBias,
                 WeightMatrix ffnDown, float[] ffnDownBias) {
}
