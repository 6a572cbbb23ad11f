package dev.neox4j.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates the header of a GGUF file held in a memory segment (docs/gguf.md).
 *
 * <p>Every read is bounds-checked against the segment size, every count and length is checked against the
 * remaining bytes (and against heap limits) before anything is allocated, and every defect is reported as a
 * {@link GgufFormatException} of the form {@code <file>: <defect> (<where>)}.
 */
final class GgufParser {
    /** Magic "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    static final int HEADER_BYTES = 24;
    static final int DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";

    /** Hard limits that keep a hostile header from exhausting the heap. Real models are far below them. */
    static final long MAX_KV_COUNT = 1L << 20;
    static final long MAX_TENSOR_COUNT = 1L << 20;
    static final long MAX_STRING_BYTES = 64L << 20;
    static final long HEAP_BUDGET = 256L << 20;
    /** Estimated heap overhead of one decoded String besides its bytes. */
    private static final long STRING_OVERHEAD = 56;
    /** Minimum encoded size of a KV record: key length (8) + type (4) + a 1-byte value. */
    private static final long MIN_KV_RECORD = 13;
    /** Minimum encoded size of a tensor-info record: name length (8) + n_dims (4) + type (4) + offset (8). */
    private static final long MIN_TENSOR_RECORD = 24;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Result of a successful parse. */
    record Header(int version, long alignment, long dataOffset, GgufMetadata metadata, List<GgufTensorInfo> tensors) {
    }

    private final MemorySegment seg;
    private final long size;
    private final String file;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private long pos;
    private long heapCharged;

    GgufParser(MemorySegment seg, String file) {
        this.seg = seg;
        this.size = seg.byteSize();
        this.file = file;
    }

    /** Checks the size before mapping: a file shorter than the fixed header is refused outright. */
    static void checkMinimumSize(String file, long size) {
        if (size < HEADER_BYTES) {
            throw new GgufFormatException(file + ": file too small to be GGUF (" + size
                    + " bytes, the header needs " + HEADER_BYTES + ")");
        }
    }

    Header parse() {
        checkMinimumSize(file, size);
        int magic = seg.get(U32, 0);
        if (magic != MAGIC) {
            throw fail("not a GGUF file: magic bytes " + hexBytes(0, 4) + ", expected 47 47 55 46 (\"GGUF\")",
                    "offset 0");
        }
        int version = seg.get(U32, 4);
        if (version == 1) {
            throw fail("GGUF v1 is no longer supported (only v2 and v3)", "version field at offset 4");
        }
        if ((version & 0xFFFF) == 0) {
            int swapped = Integer.reverseBytes(version);
            if (swapped >= 1 && swapped <= 3) {
                throw fail("big-endian GGUF files are not supported (version reads as " + swapped
                        + " when byte-swapped)", "version field at offset 4");
            }
        }
        if (version != 2 && version != 3) {
            throw fail("unsupported GGUF version " + Integer.toUnsignedString(version) + " (supported: 2, 3)",
                    "version field at offset 4");
        }
        long nTensors = seg.get(U64, 8);
        long nKv = seg.get(U64, 16);
        pos = HEADER_BYTES;
        long remaining = size - HEADER_BYTES;
        checkCount("tensor count", nTensors, MAX_TENSOR_COUNT, MIN_TENSOR_RECORD, remaining, 8);
        checkCount("metadata key/value count", nKv, MAX_KV_COUNT, MIN_KV_RECORD, remaining, 16);
        if (nKv * MIN_KV_RECORD + nTensors * MIN_TENSOR_RECORD > remaining) {
            throw fail(nKv + " metadata records and " + nTensors + " tensor records need at least "
                    + (nKv * MIN_KV_RECORD + nTensors * MIN_TENSOR_RECORD) + " bytes but only " + remaining
                    + " follow the header", "header counts at offsets 8 and 16");
        }

        LinkedHashMap<String, GgufValue> kv = new LinkedHashMap<>((int) Math.min(nKv * 2, 1 << 16));
        for (long i = 0; i < nKv; i++) {
            readKv(i, kv);
        }
        GgufMetadata metadata = GgufMetadata.wrap(file, kv);
        long alignment = alignment(kv);

        List<GgufTensorInfo> tensors = new ArrayList<>((int) nTensors);
        Set<String> names = new HashSet<>();
        for (long i = 0; i < nTensors; i++) {
            tensors.add(readTensorInfo(i, names, alignment));
        }
        long headerEnd = pos;
        long dataOffset;
        try {
            dataOffset = Math.multiplyExact(Math.ceilDiv(headerEnd, alignment), alignment);
        } catch (ArithmeticException e) {
            throw fail("data offset overflows", "header end at offset " + headerEnd);
        }
        checkTensorData(tensors, dataOffset);
        return new Header(version, alignment, dataOffset, metadata, List.copyOf(tensors));
    }

    // ---------------------------------------------------------------- metadata

    private void readKv(long index, LinkedHashMap<String, GgufValue> kv) {
        long start = pos;
        String where = "metadata record #" + index + " at offset " + start;
        String key = readString("key", where);
        if (key.isEmpty()) {
            throw fail("empty metadata key", where);
        }
        if (kv.containsKey(key)) {
            throw fail("duplicate metadata key '" + key + "'", where);
        }
        String keyWhere = "key '" + key + "' at offset " + start;
        long typePos = pos;
        int typeId = readI32("value type", keyWhere);
        GgufValueType type = GgufValueType.byId(typeId);
        if (type == null) {
            throw fail("key '" + key + "' has invalid value type " + typeId + " (valid: 0..12)",
                    "offset " + typePos);
        }
        kv.put(key, readValue(type, key, keyWhere));
    }

    private GgufValue readValue(GgufValueType type, String key, String where) {
        return switch (type) {
            case UINT8, INT8 -> GgufValue.scalar(type, readByte(type.name(), where));
            case UINT16, INT16 -> GgufValue.scalar(type, readI16(type.name(), where));
            case UINT32, INT32 -> GgufValue.scalar(type, readI32(type.name(), where));
            case UINT64, INT64 -> GgufValue.scalar(type, readI64(type.name(), where));
            case FLOAT32 -> GgufValue.scalar(type, Float.intBitsToFloat(readI32(type.name(), where)));
            case FLOAT64 -> GgufValue.scalar(type, Double.longBitsToDouble(readI64(type.name(), where)));
            case BOOL -> GgufValue.scalar(type, readBool(key, where));
            case STRING -> GgufValue.scalar(type, readString("string value of key '" + key + "'", where));
            case ARRAY -> readArray(key, where);
        };
    }

    private GgufValue readArray(String key, String where) {
        long typePos = pos;
        int elemId = readI32("array element type", where);
        GgufValueType et = GgufValueType.byId(elemId);
        if (et == null) {
            throw fail("key '" + key + "' is an array with invalid element type " + elemId + " (valid: 0..12)",
                    "offset " + typePos);
        }
        if (et == GgufValueType.ARRAY) {
            throw fail("key '" + key + "' is a nested array (arrays of arrays are not supported)",
                    "offset " + typePos);
        }
        long countPos = pos;
        long count = readI64("array length", where);
        long remaining = size - pos;
        long minSize = et.minEncodedSize();
        if (count < 0 || count > remaining / minSize) {
            throw fail("key '" + key + "': array of " + Long.toUnsignedString(count) + " " + et
                    + " elements needs at least " + (count < 0 ? "more than 2^63" : Long.toString(count * minSize))
                    + " bytes but only " + remaining + " remain", "array length at offset " + countPos);
        }
        int n = (int) Math.min(count, Integer.MAX_VALUE);
        if (count > Integer.MAX_VALUE - 8) {
            throw fail("key '" + key + "': array of " + count + " elements is too large", "array length at offset "
                    + countPos);
        }
        long elemHeap = et == GgufValueType.STRING ? 8 : et.size;
        charge(count * elemHeap, "array of key '" + key + "'", countPos);
        long base = pos;
        Object data = switch (et) {
            case UINT8, INT8 -> {
                byte[] a = new byte[n];
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, base, a, 0, n);
                yield a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[n];
                MemorySegment.copy(seg, U16, base, a, 0, n);
                yield a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[n];
                MemorySegment.copy(seg, U32, base, a, 0, n);
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[n];
                MemorySegment.copy(seg, U64, base, a, 0, n);
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                MemorySegment.copy(seg, F32, base, a, 0, n);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                MemorySegment.copy(seg, F64, base, a, 0, n);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    byte b = seg.get(ValueLayout.JAVA_BYTE, base + i);
                    if (b != 0 && b != 1) {
                        throw fail("key '" + key + "' element " + i + " is an invalid BOOL byte "
                                + (b & 0xFF) + " (expected 0 or 1)", "offset " + (base + i));
                    }
                    a[i] = b == 1;
                }
                yield a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readString("element " + i + " of key '" + key + "'", where);
                }
                yield a;
            }
            case ARRAY -> throw new IllegalStateException();
        };
        if (et != GgufValueType.STRING) {
            pos = base + count * et.size;
        }
        return GgufValue.arrayNoCopy(et, data);
    }

    private boolean readBool(String key, String where) {
        long p = pos;
        byte b = readByte("BOOL", where);
        if (b != 0 && b != 1) {
            throw fail("key '" + key + "' has an invalid BOOL byte " + (b & 0xFF) + " (expected 0 or 1)",
                    "offset " + p);
        }
        return b == 1;
    }

    private static long alignmentOf(GgufValue v) {
        return Integer.toUnsignedLong((Integer) v.raw());
    }

    private long alignment(LinkedHashMap<String, GgufValue> kv) {
        GgufValue v = kv.get(ALIGNMENT_KEY);
        if (v == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (v.isArray() || v.type() != GgufValueType.UINT32) {
            throw fail("key '" + ALIGNMENT_KEY + "' has type " + v.typeName() + ", expected UINT32", "metadata");
        }
        long a = alignmentOf(v);
        if (a == 0 || Long.bitCount(a) != 1) {
            throw fail("alignment " + a + " is not a non-zero power of two", "key '" + ALIGNMENT_KEY + "'");
        }
        return a;
    }

    // ---------------------------------------------------------------- tensor infos

    private GgufTensorInfo readTensorInfo(long index, Set<String> names, long alignment) {
        long start = pos;
        String where = "tensor-info record #" + index + " at offset " + start;
        long nameLenPos = pos;
        String name = readString("tensor name", where);
        int nameBytes = (int) (pos - nameLenPos - 8);
        if (name.isEmpty()) {
            throw fail("tensor #" + index + " has an empty name", where);
        }
        String tw = "tensor '" + name + "'";
        if (nameBytes > GgufTensorInfo.MAX_NAME_BYTES) {
            throw fail(tw + ": name is " + nameBytes + " bytes, longer than the maximum "
                    + GgufTensorInfo.MAX_NAME_BYTES, where);
        }
        if (!names.add(name)) {
            throw fail("duplicate tensor name '" + name + "'", where);
        }
        long dimsPos = pos;
        int nDims = readI32("n_dims of " + tw, where);
        if (nDims < 0 || nDims > GgufTensorInfo.MAX_DIMS) {
            throw fail(tw + ": n_dims " + Integer.toUnsignedString(nDims) + " is larger than "
                    + GgufTensorInfo.MAX_DIMS, "offset " + dimsPos);
        }
        long[] ne = new long[nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            long p = pos;
            ne[d] = readI64("ne[" + d + "] of " + tw, where);
            if (ne[d] < 1) {
                throw fail(tw + ": dimension ne[" + d + "] = " + (ne[d] < 0 ? Long.toUnsignedString(ne[d]) : "0")
                        + " must be at least 1", "offset " + p);
            }
            try {
                elements = Math.multiplyExact(elements, ne[d]);
            } catch (ArithmeticException e) {
                throw fail(tw + ": element count " + Arrays.toString(Arrays.copyOf(ne, d + 1))
                        + " overflows a 64-bit integer", "offset " + p);
            }
        }
        long typePos = pos;
        int typeId = readI32("type of " + tw, where);
        GgmlType type = GgmlType.byId(typeId);
        if (type == null) {
            throw fail(tw + ": " + typeName(typeId), "offset " + typePos);
        }
        long ne0 = nDims == 0 ? 1 : ne[0];
        if (ne0 % type.blockElems != 0) {
            throw fail(tw + ": " + ne0 + " elements per row is not a multiple of the " + type + " block size "
                    + type.blockElems, "offset " + typePos);
        }
        long byteSize;
        try {
            byteSize = type.bytesFor(elements);
        } catch (ArithmeticException e) {
            throw fail(tw + ": byte size of " + elements + " " + type + " elements overflows a 64-bit integer",
                    where);
        }
        long offPos = pos;
        long offset = readI64("data offset of " + tw, where);
        if (offset < 0) {
            throw fail(tw + ": data offset " + Long.toUnsignedString(offset) + " is past the end of the file (size "
                    + size + ")", "offset " + offPos);
        }
        if (offset % alignment != 0) {
            throw fail(tw + ": data offset " + offset + " is not a multiple of the alignment " + alignment,
                    "offset " + offPos);
        }
        return new GgufTensorInfo(name, type, ne, offset, byteSize);
    }

    static String typeName(int typeId) {
        if (typeId == 4 || typeId == 5 || (typeId >= 31 && typeId <= 33) || (typeId >= 36 && typeId <= 38)) {
            String old = switch (typeId) {
                case 4 -> "Q4_2";
                case 5 -> "Q4_3";
                case 31 -> "Q4_0_4_4";
                case 32 -> "Q4_0_4_8";
                case 33 -> "Q4_0_8_8";
                case 36 -> "IQ4_NL_4_4";
                case 37 -> "IQ4_NL_4_8";
                default -> "IQ4_NL_8_8";
            };
            return "removed tensor type " + typeId + " (" + old + ")";
        }
        return "unknown tensor type " + Integer.toUnsignedString(typeId);
    }

    private void checkTensorData(List<GgufTensorInfo> tensors, long dataOffset) {
        long[][] ranges = new long[tensors.size()][];
        for (int i = 0; i < tensors.size(); i++) {
            GgufTensorInfo t = tensors.get(i);
            String tw = "tensor '" + t.name() + "'";
            long start;
            long end;
            try {
                start = Math.addExact(dataOffset, t.offset());
                end = Math.addExact(start, t.byteSize());
            } catch (ArithmeticException e) {
                throw fail(tw + ": data offset " + t.offset() + " + " + t.byteSize()
                        + " bytes overflows", "data section at offset " + dataOffset);
            }
            if (start > size) {
                throw fail(tw + ": data offset " + start + " past end of file (size " + size + ")",
                        "data section offset " + dataOffset + " + tensor offset " + t.offset());
            }
            if (end > size) {
                throw fail(tw + ": data [" + start + ", " + end + ") extends past end of file (size " + size
                        + ", " + (end - size) + " bytes missing)",
                        "data section offset " + dataOffset + " + tensor offset " + t.offset());
            }
            ranges[i] = new long[] {start, end, i};
        }
        Arrays.sort(ranges, Comparator.comparingLong((long[] r) -> r[0]).thenComparingLong(r -> r[1]));
        int furthest = -1; // index into ranges of the range with the largest end so far
        for (int i = 0; i < ranges.length; i++) {
            long[] cur = ranges[i];
            if (furthest >= 0 && cur[0] < ranges[furthest][1]) {
                long[] prev = ranges[furthest];
                GgufTensorInfo a = tensors.get((int) prev[2]);
                GgufTensorInfo b = tensors.get((int) cur[2]);
                throw fail("tensor '" + b.name() + "' data [" + cur[0] + ", " + cur[1] + ") overlaps tensor '"
                        + a.name() + "' data [" + prev[0] + ", " + prev[1] + ")", "data section at offset "
                        + dataOffset);
            }
            if (furthest < 0 || cur[1] > ranges[furthest][1]) {
                furthest = i;
            }
        }
    }

    // ---------------------------------------------------------------- primitives

    private void need(long n, String what, String where) {
        if (n > size - pos) {
            throw fail("truncated: " + what + " needs " + n + " bytes at offset " + pos + " but the file ends at "
                    + size, where);
        }
    }

    private byte readByte(String what, String where) {
        need(1, what, where);
        return seg.get(ValueLayout.JAVA_BYTE, pos++);
    }

    private short readI16(String what, String where) {
        need(2, what, where);
        short v = seg.get(U16, pos);
        pos += 2;
        return v;
    }

    private int readI32(String what, String where) {
        need(4, what, where);
        int v = seg.get(U32, pos);
        pos += 4;
        return v;
    }

    private long readI64(String what, String where) {
        need(8, what, where);
        long v = seg.get(U64, pos);
        pos += 8;
        return v;
    }

    private String readString(String what, String where) {
        long lenPos = pos;
        long len = readI64("length of " + what, where);
        long remaining = size - pos;
        if (len < 0 || len > remaining) {
            throw fail("truncated: " + what + " has length " + Long.toUnsignedString(len) + " but only " + remaining
                    + " bytes remain", where + ", length at offset " + lenPos);
        }
        if (len > MAX_STRING_BYTES) {
            throw fail(what + " has length " + len + ", more than the supported maximum " + MAX_STRING_BYTES,
                    where + ", length at offset " + lenPos);
        }
        if (len == 0) {
            charge(8, what, lenPos);
            return "";
        }
        charge(STRING_OVERHEAD + len, what, lenPos);
        int n = (int) len;
        byte[] bytes = new byte[n];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, bytes, 0, n);
        long start = pos;
        pos += n;
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        try {
            return utf8.reset().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw fail(what + " is not valid UTF-8", where + ", string bytes at offset " + start);
        }
    }

    private void charge(long bytes, String what, long at) {
        heapCharged += bytes;
        if (heapCharged > HEAP_BUDGET) {
            throw fail("metadata too large: " + what + " brings the decoded header above "
                    + (HEAP_BUDGET >> 20) + " MiB", "offset " + at);
        }
    }

    private void checkCount(String what, long count, long max, long minRecord, long remaining, int at) {
        if (count < 0) {
            throw fail(what + " " + Long.toUnsignedString(count) + " is negative as a signed 64-bit value",
                    "offset " + at);
        }
        if (count > remaining / minRecord) {
            throw fail(what + " " + count + " needs at least " + minRecord + " bytes per record but only "
                    + remaining + " bytes follow the header", "offset " + at);
        }
        if (count > max) {
            throw fail(what + " " + count + " exceeds the supported maximum " + max, "offset " + at);
        }
    }

    private String hexBytes(long off, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02X", seg.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF));
        }
        return sb.toString();
    }

    private GgufFormatException fail(String defect, String where) {
        return new GgufFormatException(file + ": " + defect + " (" + where + ")");
    }
}
