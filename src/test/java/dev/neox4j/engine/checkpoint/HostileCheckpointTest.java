package dev.neox4j.engine.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed and hostile checkpoints are refused with a message naming the file and the defect. */
class HostileCheckpointTest {
    @TempDir
    Path tmp;

    private static final List<TestTensor> ONE = List.of(new TestTensor("w", "F32", new long[] {2, 2}, new byte[16]));

    private String refused(Path dir) {
        return assertThrows(CheckpointFormatException.class, () -> CheckpointLoader.load(dir, null, 1).close())
                .getMessage();
    }

    @Test
    void aPickleCallingOsSystemIsRefusedAndNothingRuns() throws IOException {
        Path marker = tmp.resolve("pwned");
        TorchWriter.Pickle p = new TorchWriter.Pickle();
        p.op(0x80).op(2).global("os", "system").op('(').unicode("touch " + marker).op('t').op('R').op('.');
        Path dir = new TinyCheckpoint().write(tmp.resolve("ckpt"));
        Files.delete(dir.resolve("model.safetensors"));
        TorchWriter.writeArchive(dir.resolve("pytorch_model.bin"), p.bytes(), List.of());
        String msg = refused(dir);
        assertTrue(msg.contains("pytorch_model.bin") && msg.contains("os.system") && msg.contains("refuses"), msg);
        assertFalse(Files.exists(marker));
    }

    @Test
    void otherCallablesAndObjectConstructionAreRefused() {
        // builtins.eval via STACK_GLOBAL, and REDUCE of a non-callable
        TorchWriter.Pickle evalPickle = new TorchWriter.Pickle();
        evalPickle.op(0x80).op(4).unicode("builtins").unicode("eval").op(0x93).unicode("1").op(0x85).op('R').op('.');
        String m1 = assertThrows(CheckpointFormatException.class,
                () -> RestrictedUnpickler.load(evalPickle.bytes(), "x.bin")).getMessage();
        assertTrue(m1.contains("builtins.eval"), m1);
        TorchWriter.Pickle reduceString = new TorchWriter.Pickle();
        reduceString.op(0x80).op(2).unicode("os").op(')').op('R').op('.');
        String m2 = assertThrows(CheckpointFormatException.class,
                () -> RestrictedUnpickler.load(reduceString.bytes(), "x.bin")).getMessage();
        assertTrue(m2.contains("call of"), m2);
        // NEWOBJ ('\x81') and INST ('i') are not interpreted at all
        String m3 = assertThrows(CheckpointFormatException.class,
                () -> RestrictedUnpickler.load(new byte[] {(byte) 0x80, 2, (byte) 0x81, '.'}, "x.bin")).getMessage();
        assertTrue(m3.contains("opcode 0x81"), m3);
        String m4 = assertThrows(CheckpointFormatException.class,
                () -> RestrictedUnpickler.load(new byte[] {(byte) 0x80, 2, 'J', 1}, "x.bin")).getMessage();
        assertTrue(m4.contains("truncated"), m4);
    }

    @Test
    void safetensorsHeaderOver100MbIsRefusedWithoutReadingIt() throws IOException {
        Path f = tmp.resolve("model.safetensors");
        Files.write(f, ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_001L).array());
        String msg = assertThrows(CheckpointFormatException.class,
                () -> SafetensorsFile.open(f, Arena.ofAuto(), false)).getMessage();
        assertTrue(msg.contains("100000001") && msg.contains("at most"), msg);
        Files.write(f, ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).array());
        assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(f, Arena.ofAuto(), false));
        Files.write(f, ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        String past = assertThrows(CheckpointFormatException.class,
                () -> SafetensorsFile.open(f, Arena.ofAuto(), false)).getMessage();
        assertTrue(past.contains("past the end"), past);
    }

    @Test
    void safetensorsOffsetsOutsideTheFileOrOverlappingAreRefused() throws IOException {
        Path f = tmp.resolve("a.safetensors");
        SafetensorsWriter.writeRaw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,4000]}}", ONE);
        String m1 = assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(f, Arena.ofAuto(), false))
                .getMessage();
        assertTrue(m1.contains("outside") && m1.contains("'w'"), m1);
        SafetensorsWriter.writeRaw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", ONE);
        String m2 = assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(f, Arena.ofAuto(), false))
                .getMessage();
        assertTrue(m2.contains("needs 16"), m2);
        SafetensorsWriter.writeRaw(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", ONE);
        String m3 = assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(f, Arena.ofAuto(), false))
                .getMessage();
        assertTrue(m3.contains("overlap"), m3);
        SafetensorsWriter.writeRaw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-2],\"data_offsets\":[0,16]}}", ONE);
        assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(f, Arena.ofAuto(), false));
        SafetensorsWriter.writeRaw(f, "{\"w\": [" + "[".repeat(200) + "]", ONE);
        assertTrue(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(f, Arena.ofAuto(), false))
                .getMessage().contains("invalid JSON"));
    }

    @Test
    void indexFileNamesLeavingTheDirectoryAreRefused() throws IOException {
        for (String bad : List.of("../model-00001-of-00002.safetensors", "/etc/passwd", "sub/../../x.safetensors",
                "C:\\\\x.safetensors", "")) {
            Path dir = new TinyCheckpoint().format(TinyCheckpoint.Format.SAFETENSORS_SHARDED)
                    .write(tmp.resolve("ckpt" + Math.abs(bad.hashCode())));
            Path index = dir.resolve("model.safetensors.index.json");
            Files.writeString(index, Files.readString(index).replace("\"model-00001-of-00002.safetensors\"",
                    "\"" + bad + "\""));
            String msg = refused(dir);
            assertTrue(msg.contains("refusing shard file name"), bad + ": " + msg);
        }
    }

    @Test
    void aTensorInTheWrongShardOrMissingIsRefused() throws IOException {
        Path dir = new TinyCheckpoint().format(TinyCheckpoint.Format.BIN_SHARDED).write(tmp.resolve("ckpt"));
        Path index = dir.resolve("pytorch_model.bin.index.json");
        Files.writeString(index, Files.readString(index).replace("\"embed_out.weight\": \"pytorch_model-00002",
                "\"embed_out.weight\": \"pytorch_model-00001"));
        assertTrue(refused(dir).contains("'embed_out.weight' is not in its shard"));
    }

    @Test
    void wrongModelsShapesAndDtypesAreNamed() throws IOException {
        Path dir = new TinyCheckpoint().write(tmp.resolve("llama"));
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"gpt_neox\"", "\"llama\"")
                .replace("GPTNeoXForCausalLM", "LlamaForCausalLM"));
        assertTrue(refused(dir).contains("model_type is 'llama'"));

        Path small = new TinyCheckpoint().write(tmp.resolve("shape"));
        Files.writeString(small.resolve("config.json"), Files.readString(small.resolve("config.json"))
                .replace("\"intermediate_size\": 1024", "\"intermediate_size\": 512"));
        String msg = refused(small);
        assertTrue(msg.contains("dense_h_to_4h.weight") && msg.contains("[512, 256]"), msg);

        Path none = tmp.resolve("empty");
        Files.createDirectories(none);
        assertTrue(refused(none).contains("no config.json"));
        Path noWeights = new TinyCheckpoint().write(tmp.resolve("noweights"));
        Files.delete(noWeights.resolve("model.safetensors"));
        assertTrue(refused(noWeights).contains("no weights"));
        Path noTok = new TinyCheckpoint().write(tmp.resolve("notok"));
        Files.delete(noTok.resolve("tokenizer.json"));
        assertTrue(refused(noTok).contains("no tokenizer.json"));
    }

    @Test
    void truncatedOrCompressedTorchArchivesAreRefused() throws IOException {
        Path dir = new TinyCheckpoint().format(TinyCheckpoint.Format.BIN).write(tmp.resolve("ckpt"));
        Path bin = dir.resolve("pytorch_model.bin");
        byte[] all = Files.readAllBytes(bin);
        Files.write(bin, java.util.Arrays.copyOf(all, all.length / 2));
        assertTrue(refused(dir).contains("not a ZIP archive"));
        Path z = tmp.resolve("compressed.bin");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(z))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl"));
            zip.write(TorchWriter.pickle(ONE));
            zip.closeEntry();
        }
        String msg = assertThrows(CheckpointFormatException.class,
                () -> TorchCheckpointFile.open(z, Arena.ofAuto(), false)).getMessage();
        assertTrue(msg.contains("compressed"), msg);
    }

    @Test
    void nonContiguousOrOutOfStorageTensorsAreRefused() throws IOException {
        // a storage of 4 floats viewed as 2x2 with transposed strides
        TorchWriter.Pickle p = new TorchWriter.Pickle();
        p.op(0x80).op(2).op('}').unicode("w").global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').unicode("storage").global("torch", "FloatStorage").unicode("0").unicode("cpu").binint(4)
                .op('t').op('Q').binint(0).op('(').binint(2).binint(2).op('t').op('(').binint(1).binint(2).op('t')
                .op(0x89).op('}').op('t').op('R').op('s').op('.');
        Path f = tmp.resolve("t.bin");
        TorchWriter.writeArchive(f, p.bytes(), ONE);
        String msg = assertThrows(CheckpointFormatException.class, () -> TorchCheckpointFile.open(f, Arena.ofAuto(), false))
                .getMessage();
        assertTrue(msg.contains("not contiguous"), msg);

        TorchWriter.Pickle q = new TorchWriter.Pickle();
        q.op(0x80).op(2).op('}').unicode("w").global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').unicode("storage").global("torch", "FloatStorage").unicode("0").unicode("cpu").binint(4)
                .op('t').op('Q').binint(2).op('(').binint(2).binint(2).op('t').op('(').binint(2).binint(1).op('t')
                .op(0x89).op('}').op('t').op('R').op('s').op('.');
        TorchWriter.writeArchive(f, q.bytes(), ONE);
        String msg2 = assertThrows(CheckpointFormatException.class,
                () -> TorchCheckpointFile.open(f, Arena.ofAuto(), false)).getMessage();
        assertTrue(msg2.contains("outside its storage"), msg2);

        // the same pickle with offset 0 and row-major strides is read
        TorchWriter.write(f, ONE);
        assertEquals(1, TorchCheckpointFile.open(f, Arena.ofAuto(), false).size());
    }

    @Test
    void zip64ArchivesAreRead() throws IOException {
        List<TestTensor> ts = List.of(new TestTensor("a", "F16", new long[] {3}, new byte[] {1, 2, 3, 4, 5, 6}),
                new TestTensor("b", "F32", new long[] {1, 2}, new byte[] {9, 9, 9, 9, 8, 8, 8, 8}));
        Path f = tmp.resolve("zip64.bin");
        TorchWriter.writeZip64(f, ts);
        java.util.Map<String, StoredTensor> read = TorchCheckpointFile.open(f, Arena.ofAuto(), false);
        assertEquals(List.of("a", "b"), List.copyOf(read.keySet()));
        assertEquals(-1L, read.get("b").data().mismatch(java.lang.foreign.MemorySegment.ofArray(ts.get(1).bytes())));
        assertEquals("F16", read.get("a").dtype());
        assertArrayEquals(new long[] {1, 2}, read.get("b").shape());
    }

    @Test
    void unsupportedDtypeOfAWeightIsNamed() throws IOException {
        Path dir = new TinyCheckpoint().write(tmp.resolve("ckpt"));
        Path st = dir.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(st);
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = s.indexOf("\"gpt_neox.final_layer_norm.bias\":{\"dtype\":\"F32\"");
        byte[] patched = s.substring(0, at).concat(s.substring(at).replaceFirst("\"F32\"", "\"I32\""))
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(st, patched);
        String msg = refused(dir);
        assertTrue(msg.contains("final_layer_norm.bias") && msg.contains("I32"), msg);
    }
}
