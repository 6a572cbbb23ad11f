package dev.neox4j.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per defect class of the reader's validation list (docs/gguf.md, "What the reader rejects"). Every file is
 * built by the test; every refusal must be a {@link GgufFormatException} of the form {@code <file>: <defect>
 * (<where>)}.
 */
class GgufCorruptFileTest {
    @TempDir
    Path dir;

    private static final int F32 = GgmlType.F32.id;

    /** Opens the file, expects a refusal naming the file, containing every fragment and a "(where)" part. */
    private static String assertRefused(Path file, String... fragments) {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> {
            try (GgufFile g = GgufFile.open(file)) {
                throw new AssertionError("opened " + g);
            }
        });
        String m = e.getMessage();
        assertTrue(m.startsWith(file.getFileName() + ": "), m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "message lacks '" + f + "': " + m);
        }
        assertTrue(m.endsWith(")") && m.contains(" ("), "message lacks a (where) part: " + m);
        return m;
    }

    /** A valid file with one F32 tensor of {@code ne} elements at offset 0, plus optional extra KV bytes. */
    private RawGguf oneTensor(String name, int typeId, long offset, long... ne) {
        return RawGguf.header(3, 1, 0).tensor(name, typeId, offset, ne);
    }

    // ---------------------------------------------------------------- header

    @Test
    void fileTooSmall() throws IOException {
        Path p = dir.resolve("short.gguf");
        Files.write(p, new byte[] {'G', 'G', 'U', 'F', 3, 0});
        assertRefused(p, "file too small to be GGUF (6 bytes, the header needs 24)");
        Path empty = dir.resolve("empty.gguf");
        Files.write(empty, new byte[0]);
        assertRefused(empty, "file too small", "0 bytes");
    }

    @Test
    void badMagic() throws IOException {
        RawGguf r = new RawGguf().bytes('L', 'L', 'A', 'M').u32(3).u64(0).u64(0);
        assertRefused(r.write(dir, "magic.gguf"), "not a GGUF file: magic bytes 4C 4C 41 4D", "offset 0");
    }

    @Test
    void versionOne() throws IOException {
        assertRefused(RawGguf.header(1, 0, 0).write(dir, "v1.gguf"), "GGUF v1 is no longer supported",
                "version field at offset 4");
    }

    @Test
    void bigEndian() throws IOException {
        RawGguf r = new RawGguf().bytes('G', 'G', 'U', 'F').bytes(0, 0, 0, 3).u64(0).u64(0);
        assertRefused(r.write(dir, "be.gguf"), "big-endian GGUF files are not supported", "offset 4");
    }

    @Test
    void versionTooNew() throws IOException {
        assertRefused(RawGguf.header(4, 0, 0).write(dir, "v4.gguf"), "unsupported GGUF version 4 (supported: 2, 3)");
        assertRefused(RawGguf.header(0, 0, 0).write(dir, "v0.gguf"), "unsupported GGUF version 0");
    }

    @Test
    void versionTwoIsAccepted() throws IOException {
        try (GgufFile g = GgufFile.open(RawGguf.header(2, 0, 1).kvU32("a.b", 5).write(dir, "v2.gguf"))) {
            assertEquals(2, g.version());
            assertEquals(5, g.metadata().getUInt32("a.b"));
        }
    }

    @Test
    void negativeCounts() throws IOException {
        assertRefused(RawGguf.header(3, -1, 0).zeros(64).write(dir, "ntensors.gguf"),
                "tensor count 18446744073709551615 is negative", "offset 8");
        assertRefused(RawGguf.header(3, 0, Long.MIN_VALUE).zeros(64).write(dir, "nkv.gguf"),
                "metadata key/value count 9223372036854775808 is negative", "offset 16");
    }

    @Test
    void countsLargerThanTheFile() throws IOException {
        assertRefused(RawGguf.header(3, 1000, 0).zeros(100).write(dir, "tcount.gguf"),
                "tensor count 1000 needs at least 24 bytes per record but only 100 bytes follow the header");
        assertRefused(RawGguf.header(3, 0, 1L << 40).zeros(100).write(dir, "kvcount.gguf"),
                "metadata key/value count 1099511627776 needs at least 13 bytes");
        assertRefused(RawGguf.header(3, 3, 3).zeros(100).write(dir, "both.gguf"),
                "3 metadata records and 3 tensor records need at least 111 bytes but only 100");
    }

    @Test
    void countAboveSupportedMaximum() throws IOException {
        long n = GgufParser.MAX_TENSOR_COUNT + 1;
        Path p = RawGguf.header(3, n, 0).write(dir, "many.gguf");
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.setLength(24 + n * 24 + 10); // sparse
        }
        assertRefused(p, "tensor count 1048577 exceeds the supported maximum 1048576", "offset 8");
    }

    // ---------------------------------------------------------------- metadata

    @Test
    void truncatedKey() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).u64(100).bytes('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
        assertRefused(r.write(dir, "key.gguf"), "truncated: key has length 100 but only 8 bytes remain",
                "metadata record #0 at offset 24");
    }

    @Test
    void hugeStringLengthIsRefusedBeforeAllocation() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.STRING.id).u64(1L << 62).zeros(16);
        assertRefused(r.write(dir, "hugestr.gguf"), "string value of key 'k' has length 4611686018427387904",
                "length at offset 37");
    }

    @Test
    void stringAboveSupportedMaximum() throws IOException {
        long len = GgufParser.MAX_STRING_BYTES + 1;
        Path p = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.STRING.id).u64(len).write(dir, "longstr.gguf");
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.setLength(raf.length() + len);
        }
        assertRefused(p, "has length 67108865, more than the supported maximum 67108864");
    }

    @Test
    void invalidUtf8Key() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).str(new byte[] {'a', (byte) 0xC3, 0x28}).u32(4).u32(1);
        assertRefused(r.write(dir, "utf8.gguf"), "key is not valid UTF-8", "metadata record #0 at offset 24");
    }

    @Test
    void invalidUtf8StringValue() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.STRING.id).str(new byte[] {(byte) 0xFF});
        assertRefused(r.write(dir, "utf8v.gguf"), "string value of key 'k' is not valid UTF-8");
    }

    @Test
    void emptyKey() throws IOException {
        assertRefused(RawGguf.header(3, 0, 1).kvU32("", 1).write(dir, "emptykey.gguf"), "empty metadata key",
                "metadata record #0 at offset 24");
    }

    @Test
    void duplicateKey() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 2).kvU32("a.b", 1).kvU32("a.b", 2);
        assertRefused(r.write(dir, "dupkey.gguf"), "duplicate metadata key 'a.b'", "metadata record #1 at offset 43");
    }

    @Test
    void invalidValueType() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).str("k").u32(13).u32(0);
        assertRefused(r.write(dir, "vtype.gguf"), "key 'k' has invalid value type 13 (valid: 0..12)", "offset 33");
    }

    @Test
    void invalidArrayElementType() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.ARRAY.id).u32(77).u64(0);
        assertRefused(r.write(dir, "etype.gguf"), "key 'k' is an array with invalid element type 77", "offset 37");
    }

    @Test
    void nestedArray() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.ARRAY.id).u32(GgufValueType.ARRAY.id)
                .u64(1).u32(4).u64(0);
        assertRefused(r.write(dir, "nested.gguf"), "key 'k' is a nested array");
    }

    @Test
    void hugeArrayCountIsRefusedBeforeAllocation() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.ARRAY.id).u32(GgufValueType.UINT32.id)
                .u64(1L << 40).zeros(16);
        assertRefused(r.write(dir, "hugearr.gguf"), "key 'k': array of 1099511627776 UINT32 elements",
                "but only 16 remain", "array length at offset 41");
        RawGguf s = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.ARRAY.id).u32(GgufValueType.STRING.id)
                .u64(3).zeros(16);
        assertRefused(s.write(dir, "strarr.gguf"), "array of 3 STRING elements needs at least 24 bytes but only 16");
        RawGguf n = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.ARRAY.id).u32(GgufValueType.INT8.id)
                .u64(-5).zeros(16);
        assertRefused(n.write(dir, "negarr.gguf"), "array of 18446744073709551611 INT8 elements");
    }

    @Test
    void metadataAboveHeapBudget() throws IOException {
        long count = GgufParser.HEAP_BUDGET + 1;
        Path p = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.ARRAY.id).u32(GgufValueType.UINT8.id)
                .u64(count).write(dir, "budget.gguf");
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.setLength(raf.length() + count); // sparse
        }
        assertRefused(p, "metadata too large: array of key 'k'", "256 MiB");
    }

    @Test
    void invalidBool() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.BOOL.id).u8(2);
        assertRefused(r.write(dir, "bool.gguf"), "key 'k' has an invalid BOOL byte 2", "offset 37");
        RawGguf a = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.ARRAY.id).u32(GgufValueType.BOOL.id)
                .u64(2).u8(1).u8(7);
        assertRefused(a.write(dir, "boolarr.gguf"), "key 'k' element 1 is an invalid BOOL byte 7");
    }

    @Test
    void truncatedValue() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).str("k").u32(GgufValueType.UINT64.id).u32(0).bytes(1);
        assertRefused(r.write(dir, "trunc.gguf"), "truncated: UINT64 needs 8 bytes at offset 37 but the file ends at 42",
                "key 'k' at offset 24");
    }

    @Test
    void alignmentOfWrongType() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).kvString("general.alignment", "32");
        assertRefused(r.write(dir, "aligntype.gguf"), "key 'general.alignment' has type STRING, expected UINT32");
    }

    @Test
    void alignmentNotAPowerOfTwo() throws IOException {
        assertRefused(RawGguf.header(3, 0, 1).kvU32("general.alignment", 48).write(dir, "align48.gguf"),
                "alignment 48 is not a non-zero power of two", "key 'general.alignment'");
        assertRefused(RawGguf.header(3, 0, 1).kvU32("general.alignment", 0).write(dir, "align0.gguf"),
                "alignment 0 is not a non-zero power of two");
    }

    // ---------------------------------------------------------------- tensor infos

    @Test
    void tensorNameTooLong() throws IOException {
        String name = "x".repeat(64);
        RawGguf r = oneTensor(name, F32, 0, 8).padTo(32).zeros(32);
        assertRefused(r.write(dir, "longname.gguf"), "tensor '" + name + "': name is 64 bytes, longer than the maximum 63",
                "tensor-info record #0 at offset 24");
    }

    @Test
    void emptyTensorName() throws IOException {
        RawGguf r = oneTensor("", F32, 0, 8).padTo(32).zeros(32);
        assertRefused(r.write(dir, "noname.gguf"), "tensor #0 has an empty name");
    }

    @Test
    void duplicateTensorName() throws IOException {
        RawGguf r = RawGguf.header(3, 2, 0).tensor("a", F32, 0, 8).tensor("a", F32, 32, 8).padTo(32).zeros(64);
        assertRefused(r.write(dir, "dupname.gguf"), "duplicate tensor name 'a'", "tensor-info record #1");
    }

    @Test
    void tooManyDimensions() throws IOException {
        RawGguf r = oneTensor("t", F32, 0, 1, 1, 1, 1, 8).padTo(32).zeros(32);
        assertRefused(r.write(dir, "ndims.gguf"), "tensor 't': n_dims 5 is larger than 4", "offset 33");
    }

    @Test
    void zeroOrNegativeDimension() throws IOException {
        assertRefused(oneTensor("t", F32, 0, 8, 0).padTo(32).zeros(64).write(dir, "dim0.gguf"),
                "tensor 't': dimension ne[1] = 0 must be at least 1", "offset 45");
        assertRefused(oneTensor("t", F32, 0, -1).padTo(32).zeros(64).write(dir, "dimneg.gguf"),
                "dimension ne[0] = 18446744073709551615 must be at least 1");
    }

    @Test
    void elementCountOverflow() throws IOException {
        RawGguf r = oneTensor("t", F32, 0, 1L << 32, 1L << 32).padTo(32).zeros(64);
        assertRefused(r.write(dir, "elems.gguf"), "tensor 't': element count [4294967296, 4294967296] overflows");
    }

    @Test
    void removedAndUnknownTensorTypes() throws IOException {
        assertRefused(oneTensor("t", 4, 0, 32).padTo(32).zeros(64).write(dir, "q4_2.gguf"),
                "tensor 't': removed tensor type 4 (Q4_2)", "offset 45");
        assertRefused(oneTensor("t", 32, 0, 32).padTo(32).zeros(64).write(dir, "q4_0_4_8.gguf"),
                "removed tensor type 32 (Q4_0_4_8)");
        assertRefused(oneTensor("t", 37, 0, 32).padTo(32).zeros(64).write(dir, "iq4nl48.gguf"),
                "removed tensor type 37 (IQ4_NL_4_8)");
        assertRefused(oneTensor("t", 99, 0, 32).padTo(32).zeros(64).write(dir, "t99.gguf"),
                "unknown tensor type 99");
        assertRefused(oneTensor("t", -1, 0, 32).padTo(32).zeros(64).write(dir, "tneg.gguf"),
                "unknown tensor type 4294967295");
    }

    @Test
    void typesNeox4jCannotComputeAreStillReadable() throws IOException {
        int bytes = GgmlType.IQ2_XXS.blockBytes;
        Path p = oneTensor("t", GgmlType.IQ2_XXS.id, 0, 256).padTo(32).zeros(bytes).write(dir, "iq2.gguf");
        try (GgufFile g = GgufFile.open(p)) {
            assertEquals(GgmlType.IQ2_XXS, g.tensor("t").type());
            assertEquals(bytes, g.data(g.tensor("t")).byteSize());
        }
    }

    @Test
    void rowNotAMultipleOfBlockSize() throws IOException {
        RawGguf r = oneTensor("t", GgmlType.Q4_0.id, 0, 33, 2).padTo(32).zeros(64);
        assertRefused(r.write(dir, "block.gguf"), "tensor 't': 33 elements per row is not a multiple of the Q4_0 block size 32");
    }

    @Test
    void byteSizeOverflow() throws IOException {
        RawGguf r = oneTensor("t", F32, 0, 1L << 62).padTo(32).zeros(64);
        assertRefused(r.write(dir, "bytes.gguf"), "byte size of 4611686018427387904 F32 elements overflows");
    }

    @Test
    void misalignedOffset() throws IOException {
        RawGguf r = oneTensor("t", F32, 16, 4).padTo(32).zeros(64);
        assertRefused(r.write(dir, "misaligned.gguf"), "tensor 't': data offset 16 is not a multiple of the alignment 32",
                "offset 49");
    }

    @Test
    void truncatedTensorInfo() throws IOException {
        RawGguf r = RawGguf.header(3, 1, 0).str("t").u32(2).u64(8).zeros(3);
        assertRefused(r.write(dir, "tinfo.gguf"), "truncated: ne[1] of tensor 't' needs 8 bytes",
                "tensor-info record #0 at offset 24");
    }

    // ---------------------------------------------------------------- tensor data

    @Test
    void dataPastEndOfFile() throws IOException {
        RawGguf r = oneTensor("blk.0.attn_qkv.weight", F32, 0, 64).padTo(32).zeros(100);
        String m = assertRefused(r.write(dir, "tiny.gguf"), "tensor 'blk.0.attn_qkv.weight': data [96, 352) extends past end of file (size 196, 156 bytes missing)");
        assertTrue(m.contains("data section offset 96 + tensor offset 0"), m);
    }

    @Test
    void offsetPastEndOfFile() throws IOException {
        RawGguf r = oneTensor("blk.0.attn_qkv.weight", F32, 1024, 8).padTo(32).zeros(32);
        assertRefused(r.write(dir, "tiny.gguf"), "tensor 'blk.0.attn_qkv.weight': data offset 1120 past end of file (size 128)");
        RawGguf n = oneTensor("t", F32, -32, 8).padTo(32).zeros(32);
        assertRefused(n.write(dir, "negoff.gguf"), "tensor 't': data offset 18446744073709551584 is past the end of the file");
    }

    @Test
    void offsetPlusSizeOverflow() throws IOException {
        RawGguf r = oneTensor("t", F32, Long.MAX_VALUE & ~31L, 8).padTo(32).zeros(32);
        assertRefused(r.write(dir, "ovf.gguf"), "tensor 't': data offset 9223372036854775776 + 32 bytes overflows");
    }

    @Test
    void overlappingTensors() throws IOException {
        RawGguf r = RawGguf.header(3, 3, 0).tensor("a", F32, 0, 64).tensor("b", F32, 256, 8)
                .tensor("c", F32, 128, 8).padTo(32).zeros(512);
        assertRefused(r.write(dir, "overlap.gguf"), "tensor 'c' data [256, 288) overlaps tensor 'a' data [128, 384)");
    }

    @Test
    void outOfOrderNonOverlappingTensorsAreAccepted() throws IOException {
        RawGguf r = RawGguf.header(3, 2, 0).tensor("a", F32, 64, 8).tensor("b", F32, 0, 16).padTo(32);
        int dataStart = r.size();
        for (int i = 0; i < 24; i++) {
            r.u32(Float.floatToIntBits(i));
        }
        try (GgufFile g = GgufFile.open(r.write(dir, "ooo.gguf"))) {
            assertEquals(dataStart, g.dataOffset());
            assertEquals(16f, g.data(g.tensor("a")).get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED
                    .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0));
        }
    }

    @Test
    void notAFileIsAnIOException() {
        assertThrows(IOException.class, () -> GgufFile.open(dir.resolve("does-not-exist.gguf")));
        IOException e = assertThrows(IOException.class, () -> GgufFile.open(dir));
        assertTrue(e.getMessage().contains("is a directory, not a GGUF file"), e.getMessage());
    }

    @Test
    void messagesAreOneLineAndUseTheFileName() throws IOException {
        RawGguf r = RawGguf.header(3, 0, 1).str("k\nx").u32(13).u32(0);
        String m = assertRefused(r.write(dir, "named file.gguf"), "invalid value type 13");
        assertTrue(m.startsWith("named file.gguf: "), m);
        assertEquals(StandardCharsets.UTF_8.name(), "UTF-8");
    }
}
