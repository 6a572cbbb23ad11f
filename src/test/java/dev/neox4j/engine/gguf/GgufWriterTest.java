package dev.neox4j.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GgufWriter}: every value type and tensor type round-trips through {@link GgufFile}. */
class GgufWriterTest {
    @TempDir
    Path dir;

    private static byte[] randomBytes(SplittableRandom rnd, long n) {
        byte[] b = new byte[(int) n];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    @Test
    void everyValueTypeRoundTrips() throws IOException {
        GgufWriter w = new GgufWriter()
                .putUInt8("u8", 255).putInt8("i8", -128)
                .putUInt16("u16", 65535).putInt16("i16", -32768)
                .putUInt32("u32", 4294967295L).putInt32("i32", Integer.MIN_VALUE)
                .putUInt64("u64", -1L).putInt64("i64", Long.MIN_VALUE)
                .putFloat32("f32", -0.0f).putFloat64("f64", Math.PI)
                .putBool("t", true).putBool("f", false)
                .putString("s", "Grüße, 世界 🌍").putString("empty", "")
                .putString("ключ.unicode", "v")
                .putArray("a.u8", GgufValueType.UINT8, new byte[] {0, (byte) 255})
                .putArray("a.i8", GgufValueType.INT8, new byte[] {-1, 1})
                .putArray("a.u16", GgufValueType.UINT16, new short[] {(short) 65535})
                .putArray("a.i16", GgufValueType.INT16, new short[] {-2, 3})
                .putUInt32Array("a.u32", -1, 7)
                .putInt32Array("a.i32", 1, -2, 3)
                .putArray("a.u64", GgufValueType.UINT64, new long[] {-1L})
                .putArray("a.i64", GgufValueType.INT64, new long[] {Long.MAX_VALUE, -5})
                .putFloat32Array("a.f32", Float.NaN, 1.5f, Float.NEGATIVE_INFINITY)
                .putArray("a.f64", GgufValueType.FLOAT64, new double[] {1e300})
                .putArray("a.bool", GgufValueType.BOOL, new boolean[] {true, false, true})
                .putStringArray("a.str", "x", "", "Ġ t", "é")
                .putArray("a.empty", GgufValueType.INT32, new int[0]);
        Path p = dir.resolve("values.gguf");
        w.write(p);
        try (GgufFile g = GgufFile.open(p)) {
            GgufMetadata md = g.metadata();
            assertEquals(List.copyOf(w.metadata().keys()), List.copyOf(md.keys()));
            for (Map.Entry<String, GgufValue> e : w.metadata().entries().entrySet()) {
                assertEquals(e.getValue(), md.get(e.getKey()), e.getKey());
            }
            assertEquals(255, md.getInt("u8"));
            assertEquals(-128, md.getInt("i8"));
            assertEquals(4294967295L, md.getLong("u32"));
            assertEquals(Long.MIN_VALUE, md.getLong("i64"));
            assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(md.getFloat32("f32")));
            assertEquals(Math.PI, md.getDouble("f64"));
            assertTrue(md.getBool("t"));
            assertFalse(md.getBool("f"));
            assertEquals("Grüße, 世界 🌍", md.getString("s"));
            assertEquals("", md.getString("empty"));
            assertArrayEquals(new String[] {"x", "", "Ġ t", "é"}, md.getStringArray("a.str"));
            assertArrayEquals(new int[] {1, -2, 3}, md.getIntArray("a.i32"));
            assertTrue(Float.isNaN(md.getFloatArray("a.f32")[0]));
            assertEquals(0, md.getArrayLength("a.empty"));
            assertEquals(GgufValueType.UINT16, md.get("a.u16").elementType());
            assertEquals(0, g.tensors().size());
        }
    }

    @Test
    void everyTensorTypeRoundTripsWithPaddedSequentialOffsets() throws IOException {
        SplittableRandom rnd = new SplittableRandom(7);
        GgufWriter w = new GgufWriter().putString("general.architecture", "test");
        Map<String, byte[]> data = new java.util.LinkedHashMap<>();
        for (GgmlType t : GgmlType.values()) {
            long[] ne = {t.blockElems * 3L, 5};
            byte[] b = randomBytes(rnd, GgufWriter.tensorBytes(t, ne));
            w.addTensor("t." + t.name().toLowerCase(), t, ne, b);
            data.put("t." + t.name().toLowerCase(), b);
        }
        w.addTensor("scalar", GgmlType.F32, new long[0], new byte[] {0, 0, (byte) 0x80, 0x3F});
        w.addTensor("vec", GgmlType.F16, new long[] {3}, randomBytes(rnd, 6));
        w.addTensor("t4d", GgmlType.I8, new long[] {2, 3, 4, 5}, randomBytes(rnd, 120));
        Path p = dir.resolve("tensors.gguf");
        w.write(p);
        try (GgufFile g = GgufFile.open(p)) {
            assertEquals(GgmlType.values().length + 3, g.tensors().size());
            long expected = 0;
            for (GgufTensorInfo t : g.tensors()) {
                assertEquals(expected, t.offset(), t.name());
                expected = Math.ceilDiv(t.offset() + t.byteSize(), 32) * 32;
            }
            assertEquals(g.dataOffset() + expected, g.fileSize());
            for (Map.Entry<String, byte[]> e : data.entrySet()) {
                GgufTensorInfo t = g.tensor(e.getKey());
                assertArrayEquals(e.getValue(), g.data(t).toArray(ValueLayout.JAVA_BYTE), e.getKey());
            }
            assertEquals(0, g.tensor("scalar").nDims());
            assertEquals(1, g.tensor("scalar").elements());
            assertEquals(1.0f, g.data(g.tensor("scalar")).get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
            assertArrayEquals(new long[] {2, 3, 4, 5}, g.tensor("t4d").ne());
            assertEquals(60, g.tensor("t4d").rows());
        }
    }

    /**
     * A mapped file's tensors reach the kernels as the same segment class as every other off-heap weight (a
     * kernel compiled for one class and handed another was recompiled 10-15x slower); releasing a slice's pages
     * leaves its bytes readable, and a slice of another file is left alone.
     */
    @Test
    void tensorBytesArePlainNativeSegmentsAndReleasedPagesReadBack() throws IOException {
        SplittableRandom rnd = new SplittableRandom(11);
        byte[] b = randomBytes(rnd, GgufWriter.tensorBytes(GgmlType.Q4_0, new long[] {64, 512}));
        Path p = dir.resolve("plain.gguf");
        new GgufWriter().putString("general.architecture", "test").addTensor("w", GgmlType.Q4_0,
                new long[] {64, 512}, b).write(p);
        Class<?> offHeap;
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            offHeap = a.allocate(64).getClass();
        }
        try (GgufFile g = GgufFile.open(p); GgufFile other = GgufFile.open(p)) {
            MemorySegment w = g.data(g.tensor("w"));
            assertEquals(offHeap, w.getClass(), "tensor bytes of a mapped file");
            assertFalse(w.isMapped());
            assertTrue(w.isReadOnly());
            assertEquals(offHeap, g.segment().getClass());
            g.releasePages(w);
            other.releasePages(w); // not inside that file's mapping: ignored
            g.releasePages(w.asSlice(0, 0));
            assertArrayEquals(b, w.toArray(ValueLayout.JAVA_BYTE));
            g.close();
            g.releasePages(w); // closed: nothing to release, no failure
            assertThrows(IllegalStateException.class, () -> w.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    /** An assembled model's bytes taken from a mapped file reach the kernels as plain native segments too. */
    @Test
    void assembledTensorsFromAMappingArePlainNativeSegments() throws IOException {
        Path p = dir.resolve("raw.bin");
        byte[] b = randomBytes(new SplittableRandom(3), 256);
        Files.write(p, b);
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
        MemorySegment mapped;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p)) {
            mapped = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, b.length, arena);
        }
        assertTrue(mapped.isMapped());
        GgufTensorInfo t = new GgufTensorInfo("t", GgmlType.I8, new long[] {256}, 0, 256);
        try (GgufFile g = GgufFile.assemble(dir, arena, GgufMetadata.of("test", Map.of()), List.of(t),
                Map.of("t", mapped))) {
            MemorySegment d = g.data(g.tensor("t"));
            assertFalse(d.isMapped());
            assertArrayEquals(b, d.toArray(ValueLayout.JAVA_BYTE));
            g.releasePages(d); // not a mapped GGUF file: nothing to do
            assertArrayEquals(b, d.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void customAlignment() throws IOException {
        GgufWriter w = new GgufWriter().alignment(256);
        w.addTensor("a", GgmlType.F32, new long[] {3}, new byte[12]);
        w.addTensor("b", GgmlType.Q8_0, new long[] {32}, new byte[34]);
        Path p = dir.resolve("align.gguf");
        w.write(p);
        try (GgufFile g = GgufFile.open(p)) {
            assertEquals(256, g.alignment());
            assertEquals(0, g.dataOffset() % 256);
            assertEquals(256, g.tensor("b").offset());
            assertEquals(g.dataOffset() + 512, g.fileSize());
        }
    }

    /** Rewriting a llama-quantize output with its own metadata and tensors gives the identical file. */
    @Test
    void rewritingAFixtureIsByteIdentical() throws IOException {
        for (String name : List.of("tiny-gptneox-d256-Q4_K_M.gguf", "tiny-gptneox-d256-F32.gguf")) {
            Path src = GgufFileFixtureTest.MODELS.resolve(name);
            Path out = dir.resolve(name);
            try (GgufFile g = GgufFile.open(src)) {
                GgufWriter w = new GgufWriter().putAll(g.metadata());
                for (GgufTensorInfo t : g.tensors()) {
                    MemorySegment s = g.data(t);
                    w.addTensor(t.name(), t.type(), t.ne(), os -> {
                        byte[] chunk = new byte[4096];
                        for (long off = 0; off < s.byteSize(); off += chunk.length) {
                            int n = (int) Math.min(chunk.length, s.byteSize() - off);
                            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, chunk, 0, n);
                            os.write(chunk, 0, n);
                        }
                    });
                }
                w.write(out);
            }
            assertEquals(-1, Files.mismatch(src, out), name);
        }
    }

    @Test
    void copiesTokenizerMetadata() throws IOException {
        Path p = dir.resolve("tok.gguf");
        try (GgufFile tok = GgufFile.open(GgufFileFixtureTest.TOKENIZER)) {
            new GgufWriter().putString("general.architecture", "other")
                    .putAll(tok.metadata(), (k, v) -> k.startsWith("tokenizer."))
                    .write(p);
            try (GgufFile g = GgufFile.open(p)) {
                assertEquals("other", g.metadata().getString("general.architecture"));
                assertEquals(9, g.metadata().size());
                for (String k : g.metadata().keys()) {
                    if (k.startsWith("tokenizer.")) {
                        assertEquals(tok.metadata().get(k), g.metadata().get(k), k);
                    }
                }
            }
        }
    }

    @Test
    void streamingSourceMustWriteExactlyTheTensorSize() throws IOException {
        Path p = dir.resolve("stream.gguf");
        Files.writeString(p, "previous content");
        GgufWriter shortW = new GgufWriter();
        shortW.addTensor("t", GgmlType.F32, new long[] {16}, os -> os.write(new byte[60]));
        IOException e = assertThrows(IOException.class, () -> shortW.write(p));
        assertEquals("tensor 't': source wrote 60 bytes, expected 64", e.getMessage());
        GgufWriter longW = new GgufWriter();
        longW.addTensor("t", GgmlType.F32, new long[] {16}, os -> os.write(new byte[65]));
        assertEquals("tensor 't': source wrote more than 64 bytes",
                assertThrows(IOException.class, () -> longW.write(p)).getMessage());
        // The target is untouched and no temporary file is left behind.
        assertEquals("previous content", Files.readString(p));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList());
        }
    }

    /** The atomic write must not leave the file with the private mode of a temp file (0600). */
    @Test
    void writtenFileHasOrdinaryPermissions() throws IOException {
        Path ordinary = dir.resolve("ordinary.bin");
        Files.write(ordinary, new byte[1]);
        Path p = dir.resolve("perm.gguf");
        new GgufWriter().putString("a", "b").write(p);
        assertEquals(Files.getPosixFilePermissions(ordinary), Files.getPosixFilePermissions(p));
    }

    @Test
    void streamingSourceCanWriteInPieces() throws IOException {
        Path p = dir.resolve("pieces.gguf");
        GgufWriter w = new GgufWriter();
        w.addTensor("t", GgmlType.I8, new long[] {1000}, (OutputStream os) -> {
            for (int i = 0; i < 1000; i++) {
                os.write(i);
            }
        });
        w.write(p);
        try (GgufFile g = GgufFile.open(p)) {
            byte[] b = g.data(g.tensor("t")).toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < 1000; i++) {
                assertEquals((byte) i, b[i]);
            }
        }
    }

    @Test
    void writerRefusesWhatTheReaderWouldRefuse() {
        GgufWriter w = new GgufWriter();
        w.addTensor("a", GgmlType.F32, new long[] {4}, new byte[16]);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("a", GgmlType.F32, new long[] {4}, new byte[16]));
        assertThrows(IllegalArgumentException.class,
                () -> w.addTensor("x".repeat(64), GgmlType.F32, new long[] {4}, new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("", GgmlType.F32, new long[] {4}, new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("b", GgmlType.F32, new long[] {4}, new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("c", GgmlType.Q4_0, new long[] {33}, new byte[18]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("d", GgmlType.F32, new long[] {0}, new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> w.addTensor("e", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> w.alignment(48));
        assertThrows(IllegalArgumentException.class, () -> w.putString("general.alignment", "32"));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt8("k", 256));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt32("k", -1));
        assertThrows(IllegalArgumentException.class, () -> w.putString("", "v"));
        assertThrows(IllegalArgumentException.class, () -> w.putString("k\uD800", "v"));
        assertEquals(1, w.tensorCount());
    }

    /** A file larger than 2 GiB (sparse) whose last tensor lies beyond 2 GiB is mapped and sliced correctly. */
    @Test
    void filesLargerThanTwoGibWork() throws IOException {
        long bigRows = 540_000; // 1024 x 540000 F32 = 2.06 GiB
        RawGguf r = RawGguf.header(3, 2, 1).kvString("general.architecture", "big")
                .tensor("big", GgmlType.F32.id, 0, 1024, bigRows)
                .tensor("tail", GgmlType.F32.id, 1024L * 4 * bigRows, 8)
                .padTo(32);
        long dataOffset = r.size();
        long tailStart = dataOffset + 1024L * 4 * bigRows;
        Path p = r.write(dir, "big.gguf");
        try {
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(p.toFile(), "rw")) {
                raf.setLength(tailStart + 32);
                raf.seek(tailStart + 4);
                raf.write(new byte[] {0, 0, (byte) 0x80, 0x3F}); // tail[1] = 1.0f (little-endian)
            }
            try (GgufFile g = GgufFile.open(p)) {
                assertTrue(g.fileSize() > (1L << 31));
                GgufTensorInfo tail = g.tensor("tail");
                assertEquals(tailStart, g.absoluteOffset(tail));
                MemorySegment s = g.data(tail);
                ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
                assertEquals(0f, s.getAtIndex(f, 0));
                assertEquals(1f, s.getAtIndex(f, 1));
                assertEquals(4L * 1024 * bigRows, g.data(g.tensor("big")).byteSize());
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }
}
