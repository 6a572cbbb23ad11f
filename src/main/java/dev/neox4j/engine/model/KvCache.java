package dev.neox4j.engine.model;

/**
 * The key/value cache of one sequence: for every layer, K (after RoPE) and V of up to {@link #capacity()}
 * positions, each position {@code n_embd} values (head {@code h} at {@code [h*hd, (h+1)*hd)}).
 *
 * <p>Elements are stored as IEEE half ({@link ElementType#F16}, llama.cpp's default: K and V are rounded to
 * f16 when written, and attention then also rounds Q and the softmax probabilities to f16) or as f32
 * ({@link ElementType#F32}: no rounding anywhere in attention). Storage is on the heap, allocated once:
 * {@code 2 * layers * capacity * n_embd} elements.
 *
 * <p>Not thread-safe: a cache belongs to one sequence and is only touched by the forward pass that owns it
 * (which writes each position from one thread). {@link #length()} advances when a forward pass that appended
 * tokens completes; {@link #truncate(int)} drops positions from the end (e.g. to reuse a common prefix).
 */
public final class KvCache {

    /** Element type of the stored keys and values. */
    public enum ElementType {
        /** IEEE half precision (llama.cpp's default). */
        F16,
        /** Single precision. */
        F32
    }

    private final int layers;
    private final int embd;
    private final int capacity;
    private final ElementType type;
    // [layer][pos * embd + i]; exactly one pair is non-null depending on `type`
    private final short[][] k16;
    private final short[][] v16;
    private final float[][] k32;
    private final float[][] v32;
    private int length;

    /**
     * @param layers   number of transformer blocks
     * @param embd     values per position and layer (n_embd)
     * @param capacity maximum number of positions
     * @param type     element type
     */
    public KvCache(int layers, int embd, int capacity, ElementType type) {
        if (layers <= 0 || embd <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("KV cache dimensions must be > 0: layers=" + layers + ", n_embd="
                    + embd + ", capacity=" + capacity);
        }
        if ((long) capacity * embd > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("KV cache of " + capacity + " positions x " + embd
                    + " values per layer exceeds the 2^31 elements a layer may hold; lower the context length");
        }
        this.layers = layers;
        this.embd = embd;
        this.capacity = capacity;
        this.type = java.util.Objects.requireNonNull(type, "type");
        int perLayer = capacity * embd;
        if (type == ElementType.F16) {
            k16 = new short[layers][perLayer];
            v16 = new short[layers][perLayer];
            k32 = null;
            v32 = null;
        } else {
            k32 = new float[layers][perLayer];
            v32 = new float[layers][perLayer];
            k16 = null;
            v16 = null;
        }
    }

    /** A cache shaped for {@code hp} with room for {@code capacity} positions. */
    public static KvCache forModel(NeoxHParams hp, int capacity, ElementType type) {
        return new KvCache(hp.blockCount(), hp.embeddingLength(), capacity, type);
    }

    /** Bytes a cache of this shape occupies (for sizing a slot pool before allocating it). */
    public static long bytesFor(NeoxHParams hp, int capacity, ElementType type) {
        return 2L * hp.blockCount() * capacity * hp.embeddingLength() * (type == ElementType.F16 ? 2 : 4);
    }

    /** Positions currently held (the next token goes to position {@code length()}). */
    public int length() {
        return length;
    }

    /** Maximum number of positions. */
    public int capacity() {
        return capacity;
    }

    /** Number of layers. */
    public int layers() {
        return layers;
    }

    /** Values per position and layer (n_embd). */
    public int embeddingLength() {
        return embd;
    }

    /** Element type. */
    public ElementType type() {
        return type;
    }

    /** Whether elements are stored as f16. */
    public boolean isF16() {
        return type == ElementType.F16;
    }

    /** Keeps the first {@code n} positions ({@code 0 <= n <= length()}). */
    public void truncate(int n) {
        if (n < 0 || n > length) {
            throw new IllegalArgumentException("cannot truncate a KV cache of length " + length + " to " + n);
        }
        length = n;
    }

    /** Empties the cache (contents are overwritten as new positions are written). */
    public void clear() {
        length = 0;
    }

    /** Marks {@code n} more positions as valid, after the forward pass wrote them. */
    void advance(int n) {
        if (n < 0 || length + n > capacity) {
            throw new IllegalStateException("KV cache length " + length + " + " + n + " exceeds capacity " + capacity);
        }
        length += n;
    }

    /**
     * Writes K and V of one position of one layer ({@code embd} values each), rounding to f16 if the cache
     * is f16.
     */
    void write(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        int base = pos * embd;
        if (type == ElementType.F16) {
            short[] kd = k16[layer];
            short[] vd = v16[layer];
            for (int i = 0; i < embd; i++) {
                kd[base + i] = Float.floatToFloat16(k[kOff + i]);
                vd[base + i] = Float.floatToFloat16(v[vOff + i]);
            }
        } else {
            System.arraycopy(k, kOff, k32[layer], base, embd);
            System.arraycopy(v, vOff, v32[layer], base, embd);
        }
    }

    /** f16 keys of a layer, {@code [capacity][embd]}; null for an f32 cache. */
    short[] keys16(int layer) {
        return k16 == null ? null : k16[layer];
    }

    /** f16 values of a layer, {@code [capacity][embd]}; null for an f32 cache. */
    short[] values16(int layer) {
        return v16 == null ? null : v16[layer];
    }

    /** f32 keys of a layer, {@code [capacity][embd]}; null for an f16 cache. */
    float[] keys32(int layer) {
        return k32 == null ? null : k32[layer];
    }

    /** f32 values of a layer, {@code [capacity][embd]}; null for an f16 cache. */
    float[] values32(int layer) {
        return v32 == null ? null : v32[layer];
    }

    /** Reads back K of one position/layer as floats (tests and debugging). */
    public void readKeys(int layer, int pos, float[] dst, int dstOff) {
        read(k16 == null ? null : k16[layer], k32 == null ? null : k32[layer], pos, dst, dstOff);
    }

    /** Reads back V of one position/layer as floats (tests and debugging). */
    public void readValues(int layer, int pos, float[] dst, int dstOff) {
        read(v16 == null ? null : v16[layer], v32 == null ? null : v32[layer], pos, dst, dstOff);
    }

    private void read(short[] h, float[] f, int pos, float[] dst, int dstOff) {
        if (pos < 0 || pos >= length) {
            throw new IndexOutOfBoundsException("position " + pos + " outside KV cache length " + length);
        }
        int base = pos * embd;
        if (h != null) {
            for (int i = 0; i < embd; i++) {
                dst[dstOff + i] = Float.float16ToFloat(h[base + i]);
            }
        } else {
            System.arraycopy(f, base, dst, dstOff, embd);
        }
    }
}
