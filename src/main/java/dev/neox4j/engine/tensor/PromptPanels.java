package dev.neox4j.engine.tensor;

/**
 * The prompt rows of an {@link Activations}, rearranged once per matmul for the Vector API family's prompt
 * tiles (the layouts are the kernels' business and documented there): float values, 16-bit quants and their
 * block scales; only the ones the weight type's tiles read are filled. Reused across calls; the arrays grow, never shrink, and their contents are undefined until a
 * quantizer fills them.
 */
public final class PromptPanels {

    private float[] values = new float[0];
    private short[] quants = new short[0];
    private float[] scales = new float[0];
    private int built;

    PromptPanels() {
    }

    /**
     * Which panels are filled for the current contents of the {@link Activations}, as bits the kernels define;
     * 0 after every conversion (the kernels fill the panels a matmul needs on first use, under this object's
     * lock).
     */
    public int built() {
        return built;
    }

    /** Records which panels are filled ({@link #built()}). */
    public void built(int bits) {
        built = bits;
    }

    /** The float panels, grown to at least {@code n} floats. */
    public float[] values(int n) {
        if (values.length < n) {
            values = new float[n];
        }
        return values;
    }

    /** The float panels as last grown. */
    public float[] values() {
        return values;
    }

    /** The 16-bit quant panels, grown to at least {@code n} shorts. */
    public short[] quants(int n) {
        if (quants.length < n) {
            quants = new short[n];
        }
        return quants;
    }

    /** The 16-bit quant panels as last grown. */
    public short[] quants() {
        return quants;
    }

    /** The block scales of the quant panels, grown to at least {@code n} floats. */
    public float[] scales(int n) {
        if (scales.length < n) {
            scales = new float[n];
        }
        return scales;
    }

    /** The block scales of the quant panels as last grown. */
    public float[] scales() {
        return scales;
    }
}
