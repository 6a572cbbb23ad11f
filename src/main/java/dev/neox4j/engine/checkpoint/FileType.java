package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.GgmlType;

/**
 * The file types neox4j writes and quantizes to ({@code neox.quantize}, {@code convert --type}), with llama.cpp's
 * {@code general.file_type} ids and llama-quantize's per-tensor choice (its default, non-{@code --pure} mix), so
 * that a file made here has the tensor types of the file llama-quantize makes (see {@code docs/checkpoints.md}).
 */
public enum FileType {
    F32(0, GgmlType.F32),
    F16(1, GgmlType.F16),
    BF16(32, GgmlType.BF16),
    Q4_0(2, GgmlType.Q4_0),
    Q4_1(3, GgmlType.Q4_1),
    Q5_0(8, GgmlType.Q5_0),
    Q5_1(9, GgmlType.Q5_1),
    Q8_0(7, GgmlType.Q8_0),
    Q2_K(10, GgmlType.Q2_K),
    Q3_K_S(11, GgmlType.Q3_K),
    Q3_K_M(12, GgmlType.Q3_K),
    Q3_K_L(13, GgmlType.Q3_K),
    Q4_K_S(14, GgmlType.Q4_K),
    Q4_K_M(15, GgmlType.Q4_K),
    Q5_K_S(16, GgmlType.Q5_K),
    Q5_K_M(17, GgmlType.Q5_K),
    Q6_K(18, GgmlType.Q6_K);

    /** {@code general.file_type} value. */
    public final int id;
    /** The type of most matrices. */
    public final GgmlType baseType;

    FileType(int id, GgmlType baseType) {
        this.id = id;
        this.baseType = baseType;
    }

    /**
     * Parses a name such as {@code Q4_K_M}, {@code q8_0} or {@code f16} (case-insensitive, {@code -} for {@code _}).
     *
     * @throws IllegalArgumentException listing the known names
     */
    public static FileType parse(String name) {
        String n = name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        for (FileType f : values()) {
            if (f.name().equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown type '" + name + "' (known: "
                + java.util.Arrays.toString(values()) + ")");
    }

    /**
     * The type of one tensor in a file of this type: 1-D tensors (norms, biases) stay F32; 2-D weights follow
     * llama-quantize's rules for GPT-NeoX, including its fallback when the row length {@code ne0} is not a multiple
     * of the block size (Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0, Q2_K/Q3_K → Q4_0 where llama.cpp would use IQ4_NL;
     * then F16).
     *
     * @param name   GGUF tensor name, e.g. {@code blk.3.ffn_down.weight}
     * @param nDims  number of dimensions
     * @param ne0    row length
     * @param nLayer number of transformer blocks
     */
    public GgmlType tensorType(String name, int nDims, long ne0, int nLayer) {
        if (nDims < 2) {
            return GgmlType.F32;
        }
        GgmlType t = baseType.isQuantized() ? mixed(name, nLayer) : baseType;
        if (ne0 % t.blockElems != 0) {
            t = switch (t) {
                case Q2_K, Q3_K -> GgmlType.Q4_0;
                case Q4_K -> GgmlType.Q5_0;
                case Q5_K -> GgmlType.Q5_1;
                case Q6_K -> GgmlType.Q8_0;
                default -> t;
            };
            if (ne0 % t.blockElems != 0) {
                t = GgmlType.F16;
            }
        }
        return t;
    }

    /** llama-quantize's {@code llama_tensor_get_type} for the GPT-NeoX tensors. */
    private GgmlType mixed(String name, int nLayer) {
        if (name.equals("output.weight")) {
            return baseType == GgmlType.Q8_0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
        }
        if (name.equals("token_embd.weight")) {
            return baseType;
        }
        int layer = layerOf(name);
        if (name.endsWith(".attn_qkv.weight")) {
            return switch (this) {
                case Q3_K_M, Q3_K_L -> GgmlType.Q4_K;
                case Q4_K_M -> GgmlType.Q5_K;
                case Q5_K_M -> GgmlType.Q6_K;
                default -> baseType;
            };
        }
        if (name.endsWith(".attn_output.weight")) {
            return switch (this) {
                case Q2_K -> GgmlType.Q3_K;
                case Q3_K_M -> GgmlType.Q4_K;
                case Q3_K_L -> GgmlType.Q5_K;
                default -> baseType;
            };
        }
        if (name.endsWith(".ffn_down.weight")) {
            return switch (this) {
                case Q2_K -> GgmlType.Q3_K;
                case Q3_K_M -> layer < nLayer / 16 ? GgmlType.Q5_K : GgmlType.Q4_K;
                case Q3_K_L -> GgmlType.Q5_K;
                case Q4_K_S -> layer < nLayer / 8 ? GgmlType.Q5_K : GgmlType.Q4_K;
                case Q4_K_M -> useMoreBits(layer, nLayer) ? GgmlType.Q6_K : GgmlType.Q4_K;
                case Q5_K_M -> useMoreBits(layer, nLayer) ? GgmlType.Q6_K : GgmlType.Q5_K;
                default -> baseType;
            };
        }
        return baseType;
    }

    /** llama-quantize's {@code use_more_bits}: the first and last eighth of the layers and every third between. */
    static boolean useMoreBits(int layer, int nLayer) {
        return layer < nLayer / 8 || layer >= 7 * nLayer / 8 || (layer - nLayer / 8) % 3 == 2;
    }

    private static int layerOf(String name) {
        if (!name.startsWith("blk.")) {
            return 0;
        }
        int end = name.indexOf('.', 4);
        return Integer.parseInt(name.substring(4, end));
    }
}
