package dev.neox4j.engine.model;

import dev.neox4j.engine.tensor.NativeMemory;
import dev.neox4j.engine.tensor.ParallelFor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The key/value cache of one sequence: for every layer, K (after RoPE) and V of up to {@link #capacity()}
 * positions, each position {@code n_embd} values (head {@code h} at {@code [h*hd, (h+1)*hd)}).
 *
 * <p>Elements are stored as IEEE half ({@link ElementType#F16}, llama.cpp's default: K and V are rounded to
 * f16 when written, and attention then also rounds Q and the softmax probabilities to f16) or as f32
 * ({@link ElementType#F32}: no rounding anywhere in attention).
 *
 * <p>Storage is native memory outside the Java heap, allocated once from an {@link Arena} owned by this cache:
 * {@code 2 * layers * capacity * n_embd} little-endian elements. Off the heap, a multi-GB cache neither
 * needs a large {@code -Xmx} nor gets scanned or moved by the garbage collector; the memory is released by
 * {@link #close()} (or when the JVM exits). The memory comes from {@link NativeMemory}: zero-filled, its pages
 * committed when positions are first written (a page fault per 4 KiB: for each new position one per layer's keys and
 * values) or ahead of that by {@link #populate} (the engine checks at start that every slot's cache fits).
 *
 * <p>Not thread-safe: a cache belongs to one sequence and is only touched by the forward pass that owns it
 * (which writes each position from one thread). {@link #length()} advances when a forward pass that appended
 * tokens completes; {@link #truncate(int)} drops positions from the end (e.g. to reuse a common prefix).
 */
public final class KvCache implements AutoCloseable {

    /** Element type of the stored keys and values. */
    public enum ElementType {
        /** IEEE half precision (llama.cpp's default). */
        F16(2),
        /** Single precision. */
        F32(4);

        private final int bytes;

        ElementType(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }
    }

    /** f16 elements (little-endian, as the attention kernels read them). */
    static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** f32 elements (little-endian). */
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Alignment of each layer's block: a cache line. */
    private static final long ALIGN = 64;

    private final int layers;
    private final int embd;
    private final int capacity;
    private final ElementType type;
    private final Arena arena;
    private final MemorySegment memory;   // keys and values of every layer: [2 * layers] blocks
    private final MemorySegment[] keys;   // [layers], each [capacity][embd] elements
    private final MemorySegment[] values; // [layers], each [capacity][embd] elements
    private int length;
    /**
     * One position's K or V rounded to f16 ({@code [embd]}, f16 caches only): {@link #write} converts into it in a
     * loop C2 vectorizes, then copies it in bulk: 0.17 ns a value, where setting the segment element by element took
     * 0.72 (BENCHMARKS.md, session 19).
     */
    private final short[] half;

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
        this.type = Objects.requireNonNull(type, "type");
        this.half = type == ElementType.F16 ? new short[embd] : null;
        long layerBytes = layerBytes(capacity, embd, type);
        this.arena = Arena.ofShared();
        try {
            // 4 KiB pages: committing four 1.4b slots (1.5 GiB) at start took 240 ms so, 1,850 ms with the huge-page
            // hint (the kernel compacts memory for each 2 MiB page); decode at 1,500 positions showed no difference
            memory = NativeMemory.allocate(arena, 2L * layers * layerBytes, false);
            keys = new MemorySegment[layers];
            values = new MemorySegment[layers];
            for (int l = 0; l < layers; l++) {
                keys[l] = memory.asSlice((2L * l) * layerBytes, layerBytes);
                values[l] = memory.asSlice((2L * l + 1) * layerBytes, layerBytes);
            }
        } catch (OutOfMemoryError | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** A cache shaped for {@code hp} with room for {@code capacity} positions. */
    public static KvCache forModel(NeoxHParams hp, int capacity, ElementType type) {
        return new KvCache(hp.blockCount(), hp.embeddingLength(), capacity, type);
    }

    /** Bytes a cache of this shape occupies (for sizing a slot pool before allocating it). */
    public static long bytesFor(NeoxHParams hp, int capacity, ElementType type) {
        return 2L * hp.blockCount() * layerBytes(capacity, hp.embeddingLength(), type);
    }

    private static long layerBytes(int capacity, int embd, ElementType type) {
        long raw = (long) capacity * embd * type.bytes();
        return (raw + ALIGN - 1) / ALIGN * ALIGN;
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

    /**
     * Makes this cache hold the first {@code n} positions of {@code source} (a cache of the same shape and element
     * type): copies K and V of those positions in every layer, bit for bit, and sets the length to {@code n}. How
     * a prefix cache reuses a prompt's KV computed by another sequence.
     */
    public void copyPrefixFrom(KvCache source, int n) {
        if (source.layers != layers || source.embd != embd || source.type != type) {
            throw new IllegalArgumentException("cannot copy between KV caches of different shapes");
        }
        if (n < 0 || n > source.length || n > capacity) {
            throw new IllegalArgumentException("cannot copy " + n + " positions from a KV cache of length "
                    + source.length + " into one of capacity " + capacity);
        }
        long bytes = (long) n * embd * type.bytes();
        if (source != this) {
            for (int l = 0; l < layers; l++) {
                MemorySegment.copy(source.keys[l], 0, keys[l], 0, bytes);
                MemorySegment.copy(source.values[l], 0, values[l], 0, bytes);
            }
        }
        length = n;
    }

    /** Empties the cache (contents are overwritten as new positions are written). */
    public void clear() {
        length = 0;
    }

    /**
     * Makes every page of the cache resident and writable now ({@link NativeMemory#populate}), the layers' keys and
     * values split over {@code pool}, so that no forward pass pays a page fault when it writes a position for the
     * first time. Without it a fresh slot's first token stalled for ~180 ms at pythia-1.4b (48 huge-page faults,
     * one per layer's keys and values, each zeroing 2 MiB, when the memory still had the huge-page hint) and later
     * positions paid a fault per page. Contents stay zero; a no-op where the memory was zero-filled at allocation.
     */
    public void populate(ParallelFor pool) {
        pool.run(2 * layers, (from, to) -> {
            for (int i = from; i < to; i++) {
                NativeMemory.populate((i & 1) == 0 ? keys[i >> 1] : values[i >> 1]);
            }
        });
    }

    /** Bytes of native memory the cache holds: keys and values of every layer. */
    public long byteSize() {
        return memory.byteSize();
    }

    /**
     * Commits the pages of bytes {@code [offset, offset + length)} of the cache's memory ({@link #byteSize()}) now
     * ({@link NativeMemory#populate}): contents unchanged, so another thread may do it while a forward pass writes
     * the cache. For committing a cache piecewise in the background.
     */
    public void populate(long offset, long length) {
        NativeMemory.populate(memory.asSlice(offset, length));
    }

    /** Releases the native memory; the cache must not be used afterwards. Closing twice does nothing. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
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
        long base = (long) pos * embd;
        MemorySegment kd = keys[layer];
        MemorySegment vd = values[layer];
        if (type == ElementType.F16) {
            short[] h = half;
            Objects.checkFromIndexSize(kOff, embd, k.length);
            Objects.checkFromIndexSize(vOff, embd, v.length);
            for (int i = 0; i < embd; i++) {
                h[i] = Float.floatToFloat16(k[kOff + i]);
            }
            MemorySegment.copy(h, 0, kd, HALF, base * 2, embd);
            for (int i = 0; i < embd; i++) {
                h[i] = Float.floatToFloat16(v[vOff + i]);
            }
            MemorySegment.copy(h, 0, vd, HALF, base * 2, embd);
        } else {
            MemorySegment.copy(k, kOff, kd, FLOAT, base * 4, embd);
            MemorySegment.copy(v, vOff, vd, FLOAT, base * 4, embd);
        }
    }

    /** Keys of a layer, {@code [capacity][embd]} little-endian elements of {@link #type()}. */
    MemorySegment keys(int layer) {
        return keys[layer];
    }

    /** Values of a layer, {@code [capacity][embd]} little-endian elements of {@link #type()}. */
    MemorySegment values(int layer) {
        return values[layer];
    }

    /** Reads back K of one position/layer as floats (tests and debugging). */
    public void readKeys(int layer, int pos, float[] dst, int dstOff) {
        read(keys[layer], pos, dst, dstOff);
    }

    /** Reads back V of one position/layer as floats (tests and debugging). */
    public void readValues(int layer, int pos, float[] dst, int dstOff) {
        read(values[layer], pos, dst, dstOff);
    }

    private void read(MemorySegment s, int pos, float[] dst, int dstOff) {
        if (pos < 0 || pos >= length) {
            throw new IndexOutOfBoundsException("position " + pos + " outside KV cache length " + length);
        }
        long base = (long) pos * embd;
        if (type == ElementType.F16) {
            for (int i = 0; i < embd; i++) {
                dst[dstOff + i] = Float.float16ToFloat(s.getAtIndex(HALF, base + i));
            }
        } else {
            MemorySegment.copy(s, FLOAT, base * 4, dst, dstOff, embd);
        }
    }
}
