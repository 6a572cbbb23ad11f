package dev.neox4j.engine.gguf;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Builds a GGUF v3 file (little-endian): metadata in insertion order, then tensor infos, then tensor data
 * laid out exactly as llama.cpp requires (docs/gguf.md, "Tensor records"): in the order the tensors were added, each
 * at a multiple of the alignment, with sequential offsets and zero padding.
 *
 * <p>The alignment is 32 unless {@code general.alignment} (UINT32, a power of two) is set. Tensor data comes
 * from a byte array or, for huge tensors, from a {@link TensorSource} that is called while the file is
 * written, so a multi-GB file never sits in memory. {@link #write(Path)} writes a temporary file next to the
 * target and moves it into place atomically; on failure the target is untouched and the temporary file removed.
 *
 * <p>The writer validates what it is given (names, shapes, sizes, key types) and refuses with
 * {@link IllegalArgumentException}, so it cannot produce a file that {@link GgufFile} would refuse.
 */
public final class GgufWriter {
    private static final int BUFFER_BYTES = 1 << 20;

    private final LinkedHashMap<String, GgufValue> kv = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();

    private record PendingTensor(String name, GgmlType type, long[] ne, long byteSize, byte[] data,
                                 TensorSource source) {
    }

    /** An empty writer (no metadata, no tensors). */
    public GgufWriter() {
    }

    // ---------------------------------------------------------------- metadata

    /** Sets a key (replacing an existing value but keeping its position). */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(value, "value");
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("metadata key must not be empty");
        }
        encodeUtf8(key, "key");
        if (key.equals(GgufParser.ALIGNMENT_KEY)) {
            checkAlignment(value);
        }
        kv.put(key, value);
        return this;
    }

    /** Removes a key if present. */
    public GgufWriter remove(String key) {
        kv.remove(key);
        return this;
    }

    /** Whether a key is set. */
    public boolean has(String key) {
        return kv.containsKey(key);
    }

    /** Copies every entry of {@code metadata} (in its order). */
    public GgufWriter putAll(GgufMetadata metadata) {
        return putAll(metadata, (k, v) -> true);
    }

    /** Copies the entries of {@code metadata} accepted by {@code filter} (in its order). */
    public GgufWriter putAll(GgufMetadata metadata, BiPredicate<String, GgufValue> filter) {
        metadata.entries().forEach((k, v) -> {
            if (filter.test(k, v)) {
                put(k, v);
            }
        });
        return this;
    }

    /** Unsigned 8-bit value (0..255). */
    public GgufWriter putUInt8(String key, int v) {
        return put(key, GgufValue.uint8((byte) checkRange(key, v, 0, 0xFF)));
    }

    public GgufWriter putInt8(String key, int v) {
        return put(key, GgufValue.int8((byte) checkRange(key, v, Byte.MIN_VALUE, Byte.MAX_VALUE)));
    }

    /** Unsigned 16-bit value (0..65535). */
    public GgufWriter putUInt16(String key, int v) {
        return put(key, GgufValue.uint16((short) checkRange(key, v, 0, 0xFFFF)));
    }

    public GgufWriter putInt16(String key, int v) {
        return put(key, GgufValue.int16((short) checkRange(key, v, Short.MIN_VALUE, Short.MAX_VALUE)));
    }

    /** Unsigned 32-bit value (0..4294967295). */
    public GgufWriter putUInt32(String key, long v) {
        return put(key, GgufValue.uint32((int) checkRange(key, v, 0, 0xFFFF_FFFFL)));
    }

    public GgufWriter putInt32(String key, int v) {
        return put(key, GgufValue.int32(v));
    }

    /** Unsigned 64-bit value given as its raw bits (negative longs stand for values of 2^63 and more). */
    public GgufWriter putUInt64(String key, long rawBits) {
        return put(key, GgufValue.uint64(rawBits));
    }

    public GgufWriter putInt64(String key, long v) {
        return put(key, GgufValue.int64(v));
    }

    public GgufWriter putFloat32(String key, float v) {
        return put(key, GgufValue.float32(v));
    }

    public GgufWriter putFloat64(String key, double v) {
        return put(key, GgufValue.float64(v));
    }

    public GgufWriter putBool(String key, boolean v) {
        return put(key, GgufValue.bool(v));
    }

    public GgufWriter putString(String key, String v) {
        return put(key, GgufValue.string(v));
    }

    /** An array; {@code array} is the primitive array of the element type (see {@link GgufValue}). */
    public GgufWriter putArray(String key, GgufValueType elementType, Object array) {
        return put(key, GgufValue.array(elementType, array));
    }

    public GgufWriter putStringArray(String key, String... values) {
        return putArray(key, GgufValueType.STRING, values);
    }

    public GgufWriter putStringArray(String key, List<String> values) {
        return putArray(key, GgufValueType.STRING, values.toArray(String[]::new));
    }

    public GgufWriter putInt32Array(String key, int... values) {
        return putArray(key, GgufValueType.INT32, values);
    }

    /** UINT32 array given as raw bits. */
    public GgufWriter putUInt32Array(String key, int... values) {
        return putArray(key, GgufValueType.UINT32, values);
    }

    public GgufWriter putFloat32Array(String key, float... values) {
        return putArray(key, GgufValueType.FLOAT32, values);
    }

    /** Sets {@code general.alignment}; must be a power of two. */
    public GgufWriter alignment(int alignment) {
        return putUInt32(GgufParser.ALIGNMENT_KEY, alignment);
    }

    /** The alignment the file will use ({@code general.alignment} or 32). */
    public long alignment() {
        GgufValue v = kv.get(GgufParser.ALIGNMENT_KEY);
        return v == null ? GgufParser.DEFAULT_ALIGNMENT : Integer.toUnsignedLong((Integer) v.raw());
    }

    /** The metadata set so far (a snapshot). */
    public GgufMetadata metadata() {
        return GgufMetadata.of("GgufWriter", kv);
    }

    // ---------------------------------------------------------------- tensors

    /** Adds a tensor whose bytes are given (not copied; do not modify until written). */
    public GgufWriter addTensor(String name, GgmlType type, long[] ne, byte[] data) {
        long size = checkTensor(name, type, ne);
        if (data.length != size) {
            throw new IllegalArgumentException("tensor '" + name + "': " + data.length + " bytes given, "
                    + type + " " + java.util.Arrays.toString(ne) + " needs " + size);
        }
        tensors.add(new PendingTensor(name, type, ne.clone(), size, data, null));
        tensorNames.add(name);
        return this;
    }

    /** Adds a tensor whose bytes are produced by {@code source} while the file is written. */
    public GgufWriter addTensor(String name, GgmlType type, long[] ne, TensorSource source) {
        Objects.requireNonNull(source, "source");
        long size = checkTensor(name, type, ne);
        tensors.add(new PendingTensor(name, type, ne.clone(), size, null, source));
        tensorNames.add(name);
        return this;
    }

    /** Number of tensors added. */
    public int tensorCount() {
        return tensors.size();
    }

    /** Byte size of a tensor of this type and shape, with the same checks as {@link #addTensor}. */
    public static long tensorBytes(GgmlType type, long... ne) {
        return checkShape("tensor", type, ne);
    }

    private long checkTensor(String name, GgmlType type, long[] ne) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        int nameBytes = encodeUtf8(name, "tensor name").length;
        if (nameBytes > GgufTensorInfo.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' is " + nameBytes
                    + " bytes, longer than " + GgufTensorInfo.MAX_NAME_BYTES);
        }
        if (tensorNames.contains(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        return checkShape("tensor '" + name + "'", type, ne);
    }

    private static long checkShape(String what, GgmlType type, long[] ne) {
        if (ne.length > GgufTensorInfo.MAX_DIMS) {
            throw new IllegalArgumentException(what + ": " + ne.length + " dimensions, at most 4");
        }
        long elements = 1;
        for (long d : ne) {
            if (d < 1) {
                throw new IllegalArgumentException(what + ": dimension " + d + " must be at least 1");
            }
            elements = Math.multiplyExact(elements, d);
        }
        long ne0 = ne.length == 0 ? 1 : ne[0];
        if (ne0 % type.blockElems != 0) {
            throw new IllegalArgumentException(what + ": ne[0] = " + ne0 + " is not a multiple of the " + type
                    + " block size " + type.blockElems);
        }
        return type.bytesFor(elements);
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes the file atomically (temporary file in the same directory, then a move).
     *
     * @throws IOException if writing fails or a {@link TensorSource} fails or writes the wrong number of bytes
     */
    public void write(Path path) throws IOException {
        Path abs = path.toAbsolutePath();
        Path dir = abs.getParent();
        // Not Files.createTempFile: that creates the file with mode 0600, and the move would keep it.
        Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime())
                + Integer.toHexString(System.identityHashCode(this)) + ".tmp");
        boolean done = false;
        try {
            try (OutputStream os = new BufferedOutputStream(
                    Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    BUFFER_BYTES)) {
                writeTo(os);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Writes the whole file to {@code out} (not closed). */
    public void writeTo(OutputStream out) throws IOException {
        long alignment = alignment();
        LeOut h = new LeOut();
        h.bytes(new byte[] {'G', 'G', 'U', 'F'});
        h.u32(3);
        h.u64(tensors.size());
        h.u64(kv.size());
        for (Map.Entry<String, GgufValue> e : kv.entrySet()) {
            h.string(e.getKey(), "key");
            GgufValue v = e.getValue();
            h.u32(v.type().id);
            if (v.isArray()) {
                h.u32(v.elementType().id);
                h.u64(v.length());
                writeArray(h, v.elementType(), v.raw(), e.getKey());
            } else {
                writeScalar(h, v.type(), v.raw(), e.getKey());
            }
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            h.string(t.name(), "tensor name");
            h.u32(t.ne().length);
            for (long d : t.ne()) {
                h.u64(d);
            }
            h.u32(t.type().id);
            h.u64(offset);
            offset = Math.addExact(offset, pad(t.byteSize(), alignment));
        }
        long headerLength = h.size();
        h.zeros(pad(headerLength, alignment) - headerLength);
        h.writeTo(out);

        byte[] zeros = new byte[(int) Math.min(alignment, 1 << 16)];
        for (PendingTensor t : tensors) {
            if (t.data() != null) {
                out.write(t.data());
            } else {
                CountingStream cs = new CountingStream(out, t.byteSize(), t.name());
                t.source().writeTo(cs);
                if (cs.count != t.byteSize()) {
                    throw new IOException("tensor '" + t.name() + "': source wrote " + cs.count + " bytes, expected "
                            + t.byteSize());
                }
            }
            long padding = pad(t.byteSize(), alignment) - t.byteSize();
            while (padding > 0) {
                int n = (int) Math.min(padding, zeros.length);
                out.write(zeros, 0, n);
                padding -= n;
            }
        }
        out.flush();
    }

    private static long pad(long n, long alignment) {
        return Math.multiplyExact(Math.ceilDiv(n, alignment), alignment);
    }

    private static void writeScalar(LeOut h, GgufValueType t, Object v, String key) {
        switch (t) {
            case UINT8, INT8 -> h.u8((Byte) v);
            case UINT16, INT16 -> h.u16((Short) v);
            case UINT32, INT32 -> h.u32((Integer) v);
            case UINT64, INT64 -> h.u64((Long) v);
            case FLOAT32 -> h.u32(Float.floatToRawIntBits((Float) v));
            case FLOAT64 -> h.u64(Double.doubleToRawLongBits((Double) v));
            case BOOL -> h.u8((byte) ((Boolean) v ? 1 : 0));
            case STRING -> h.string((String) v, "value of key '" + key + "'");
            case ARRAY -> throw new IllegalStateException();
        }
    }

    private static void writeArray(LeOut h, GgufValueType et, Object a, String key) {
        switch (a) {
            case byte[] b -> h.bytes(b);
            case short[] s -> {
                for (short x : s) {
                    h.u16(x);
                }
            }
            case int[] ints -> {
                for (int x : ints) {
                    h.u32(x);
                }
            }
            case long[] l -> {
                for (long x : l) {
                    h.u64(x);
                }
            }
            case float[] f -> {
                for (float x : f) {
                    h.u32(Float.floatToRawIntBits(x));
                }
            }
            case double[] d -> {
                for (double x : d) {
                    h.u64(Double.doubleToRawLongBits(x));
                }
            }
            case boolean[] z -> {
                for (boolean x : z) {
                    h.u8((byte) (x ? 1 : 0));
                }
            }
            case String[] s -> {
                for (String x : s) {
                    h.string(x, "element of key '" + key + "'");
                }
            }
            default -> throw new IllegalStateException(et.name());
        }
    }

    private static void checkAlignment(GgufValue v) {
        if (v.isArray() || v.type() != GgufValueType.UINT32) {
            throw new IllegalArgumentException(GgufParser.ALIGNMENT_KEY + " must be UINT32, got " + v.typeName());
        }
        long a = Integer.toUnsignedLong((Integer) v.raw());
        if (a == 0 || Long.bitCount(a) != 1) {
            throw new IllegalArgumentException(GgufParser.ALIGNMENT_KEY + " " + a + " is not a power of two");
        }
    }

    private static long checkRange(String key, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("key '" + key + "': value " + v + " out of range [" + min + ", "
                    + max + "]");
        }
        return v;
    }

    static byte[] encodeUtf8(String s, String what) {
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer bb = enc.encode(java.nio.CharBuffer.wrap(s));
            byte[] out = new byte[bb.remaining()];
            bb.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " '" + s + "' is not valid Unicode (unpaired surrogate)");
        }
    }

    /** Little-endian header buffer. */
    private static final class LeOut extends ByteArrayOutputStream {
        LeOut() {
            super(1 << 16);
        }

        void u8(byte v) {
            write(v);
        }

        void u16(short v) {
            write(v);
            write(v >>> 8);
        }

        void u32(int v) {
            write(v);
            write(v >>> 8);
            write(v >>> 16);
            write(v >>> 24);
        }

        void u64(long v) {
            u32((int) v);
            u32((int) (v >>> 32));
        }

        void bytes(byte[] b) {
            write(b, 0, b.length);
        }

        void zeros(long n) {
            for (long i = 0; i < n; i++) {
                write(0);
            }
        }

        void string(String s, String what) {
            byte[] b = isAscii(s) ? s.getBytes(StandardCharsets.ISO_8859_1) : encodeUtf8(s, what);
            u64(b.length);
            bytes(b);
        }

        private static boolean isAscii(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) >= 0x80) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Counts bytes written by a tensor source and refuses more than the tensor's size. */
    private static final class CountingStream extends FilterOutputStream {
        private final long limit;
        private final String name;
        long count;

        CountingStream(OutputStream out, long limit, String name) {
            super(out);
            this.limit = limit;
            this.name = name;
        }

        private void add(long n) throws IOException {
            if (count + n > limit) {
                throw new IOException("tensor '" + name + "': source wrote more than " + limit + " bytes");
            }
            count += n;
        }

        @Override
        public void write(int b) throws IOException {
            add(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            add(len);
            out.write(b, off, len);
        }

        @Override
        public void close() {
            // the writer owns the underlying stream
        }
    }
}
