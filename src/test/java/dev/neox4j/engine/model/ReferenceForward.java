package dev.neox4j.engine.model;

import dev.neox4j.engine.tensor.TensorCodecs;
import dev.neox4j.engine.tensor.WeightMatrix;

/**
 * A deliberately naive float64 GPT-NeoX forward pass (docs/gpt-neox.md, "The forward pass", with exact tanh-GELU, no
 * activation quantization, no f16 roundings) on the dequantized weights of a {@link NeoxModel}: the "exact math"
 * oracle for the paths the fixtures' numpy reference does not cover (sequential residual).
 */
public final class ReferenceForward {

    private final NeoxModel m;
    private final NeoxHParams hp;

    public ReferenceForward(NeoxModel m) {
        this.m = m;
        this.hp = m.hparams();
    }

    /**
     * What the reference computed inside: the residual stream after the embeddings and after every block, and the
     * attention probabilities of every block.
     *
     * @param residual  [n_layer + 1][n][n_embd]
     * @param attention [n_layer][n_head][n][n] (zero above the diagonal)
     */
    public record Trace(double[][][] residual, double[][][][] attention) {
    }

    /** Logits of every position, [len][vocab]. */
    float[] logits(int[] tokens) {
        double[][][] res = trace(tokens).residual();
        double[][] x = res[res.length - 1];
        int n = tokens.length;
        int vocab = hp.vocabSize();
        float[] out = new float[n * vocab];
        for (int t = 0; t < n; t++) {
            double[] lg = lens(x[t]);
            for (int i = 0; i < vocab; i++) {
                out[t * vocab + i] = (float) lg[i];
            }
        }
        return out;
    }

    /** The final LayerNorm and the unembedding applied to one residual row: logits, [vocab]. */
    public double[] lens(double[] residualRow) {
        return linear(m.output(), norm(residualRow, m.outputNormWeight(), m.outputNormBias()), null);
    }

    /** The residual stream and attention probabilities of {@code tokens}, evaluated from position 0. */
    public Trace trace(int[] tokens) {
        int n = tokens.length;
        int e = hp.embeddingLength();
        int hd = hp.headDim();
        int nh = hp.headCount();
        int rot = hp.ropeDims();
        double[][] x = new double[n][e];
        float[] row = new float[e];
        for (int t = 0; t < n; t++) {
            m.embed(tokens[t], row, 0);
            for (int i = 0; i < e; i++) {
                x[t][i] = row[i];
            }
        }
        double[][][] residual = new double[hp.blockCount() + 1][][];
        double[][][][] attention = new double[hp.blockCount()][nh][n][n];
        residual[0] = copy(x);
        for (int l = 0; l < hp.blockCount(); l++) {
            NeoxLayer w = m.layer(l);
            double[][] q = new double[n][];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] qkv = linear(w.qkv(), norm(x[t], w.attnNormWeight(), w.attnNormBias()), w.qkvBias());
                q[t] = java.util.Arrays.copyOfRange(qkv, 0, e);
                k[t] = java.util.Arrays.copyOfRange(qkv, e, 2 * e);
                v[t] = java.util.Arrays.copyOfRange(qkv, 2 * e, 3 * e);
                for (int h = 0; h < nh; h++) {
                    rope(q[t], h * hd, t, rot);
                    rope(k[t], h * hd, t, rot);
                }
            }
            for (int t = 0; t < n; t++) {
                double[] heads = new double[e];
                for (int h = 0; h < nh; h++) {
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        double dot = 0;
                        for (int d = 0; d < hd; d++) {
                            dot += q[t][h * hd + d] * k[j][h * hd + d];
                        }
                        s[j] = dot / Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= t; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j <= t; j++) {
                        attention[l][h][t][j] = s[j] / sum;
                        for (int d = 0; d < hd; d++) {
                            heads[h * hd + d] += s[j] / sum * v[j][h * hd + d];
                        }
                    }
                }
                double[] attn = linear(w.attnOutput(), heads, w.attnOutputBias());
                if (hp.parallelResidual()) {
                    double[] mlp = mlp(w, norm(x[t], w.ffnNormWeight(), w.ffnNormBias()));
                    for (int i = 0; i < e; i++) {
                        x[t][i] += attn[i] + mlp[i];
                    }
                } else {
                    for (int i = 0; i < e; i++) {
                        x[t][i] += attn[i];
                    }
                    double[] mlp = mlp(w, norm(x[t], w.ffnNormWeight(), w.ffnNormBias()));
                    for (int i = 0; i < e; i++) {
                        x[t][i] += mlp[i];
                    }
                }
            }
            residual[l + 1] = copy(x);
        }
        return new Trace(residual, attention);
    }

    private static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }

    private double[] mlp(NeoxLayer w, double[] u) {
        double[] up = linear(w.ffnUp(), u, w.ffnUpBias());
        for (int i = 0; i < up.length; i++) {
            double z = up[i];
            up[i] = 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
        }
        return linear(w.ffnDown(), up, w.ffnDownBias());
    }

    private double[] norm(double[] x, float[] w, float[] b) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        var /= x.length;
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (x[i] - mean) / Math.sqrt(var + hp.layerNormEps()) * w[i] + b[i];
        }
        return y;
    }

    private void rope(double[] z, int off, int pos, int rot) {
        for (int i = 0; i < rot / 2; i++) {
            double theta = pos * Math.pow(hp.ropeFreqBase(), -2.0 * i / rot);
            double a = z[off + i];
            double b = z[off + i + rot / 2];
            z[off + i] = a * Math.cos(theta) - b * Math.sin(theta);
            z[off + i + rot / 2] = a * Math.sin(theta) + b * Math.cos(theta);
        }
    }

    private final java.util.Map<String, float[]> dequantized = new java.util.HashMap<>();

    private double[] linear(WeightMatrix w, double[] in, float[] bias) {
        double[] out = new double[w.rows()];
        int cols = w.cols();
        float[] all = dequantized.computeIfAbsent(w.name(), name -> {
            float[] a = new float[w.rows() * cols];
            for (int r = 0; r < w.rows(); r++) {
                TensorCodecs.dequantize(w.type(), w.data(), w.rowOffset(r), a, r * cols, cols);
            }
            return a;
        });
        for (int r = 0; r < w.rows(); r++) {
            double s = 0;
            for (int i = 0; i < cols; i++) {
                s += all[r * cols + i] * in[i];
            }
            out[r] = s + (bias == null ? 0 : bias[r]);
        }
        return out;
    }
}
