package dev.neox4j.engine.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes {@code pytorch_model.bin} files the way {@code torch.save} does: a ZIP archive (entries stored, not
 * compressed) holding {@code archive/data.pkl} (a protocol-2 pickle of an OrderedDict of tensors rebuilt by
 * {@code torch._utils._rebuild_tensor_v2} from persistent-id storages), {@code archive/data/<key>},
 * {@code archive/byteorder} and {@code archive/version}.
 */
final class TorchWriter {
    private static final Map<String, String> STORAGE = Map.of("F32", "FloatStorage", "F16", "HalfStorage",
            "BF16", "BFloat16Storage", "BOOL", "BoolStorage", "U8", "ByteStorage");

    private TorchWriter() {
    }

    static void write(Path file, List<TestTensor> tensors) throws IOException {
        writeArchive(file, pickle(tensors), tensors);
    }

    /** An archive with the given pickle and the tensors' storages. */
    static void writeArchive(Path file, byte[] pickle, List<TestTensor> tensors) throws IOException {
        try (OutputStream fos = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(fos)) {
            stored(zip, "archive/data.pkl", pickle);
            stored(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < tensors.size(); i++) {
                stored(zip, "archive/data/" + i, tensors.get(i).bytes());
            }
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * The same archive written by hand in ZIP64 form, as {@code torch.save} writes files over 4 GB: every size and
     * offset in the central directory is 0xFFFFFFFF with the real value in a ZIP64 extra field, and the end of the
     * directory is a ZIP64 record found through its locator.
     */
    static void writeZip64(Path file, List<TestTensor> tensors) throws IOException {
        List<String> names = new java.util.ArrayList<>(List.of("archive/data.pkl"));
        List<byte[]> datas = new java.util.ArrayList<>(List.of(pickle(tensors)));
        for (int i = 0; i < tensors.size(); i++) {
            names.add("archive/data/" + i);
            datas.add(tensors.get(i).bytes());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long[] offsets = new long[names.size()];
        for (int i = 0; i < names.size(); i++) {
            offsets[i] = out.size();
            byte[] n = names.get(i).getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = le(30 + n.length).putInt(0x04034b50).putShort((short) 45).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt(crc(datas.get(i))).putInt(datas.get(i).length)
                    .putInt(datas.get(i).length).putShort((short) n.length).putShort((short) 0).put(n);
            out.writeBytes(h.array());
            out.writeBytes(datas.get(i));
        }
        long cdStart = out.size();
        for (int i = 0; i < names.size(); i++) {
            byte[] n = names.get(i).getBytes(StandardCharsets.UTF_8);
            ByteBuffer c = le(46 + n.length + 28).putInt(0x02014b50).putShort((short) 45).putShort((short) 45)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt(crc(datas.get(i))).putInt(-1).putInt(-1)
                    .putShort((short) n.length).putShort((short) 28).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt(-1).put(n)
                    .putShort((short) 1).putShort((short) 24).putLong(datas.get(i).length).putLong(datas.get(i).length)
                    .putLong(offsets[i]);
            out.writeBytes(c.array());
        }
        long cdSize = out.size() - cdStart;
        long eocd64 = out.size();
        out.writeBytes(le(56).putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0)
                .putInt(0).putLong(names.size()).putLong(names.size()).putLong(cdSize).putLong(cdStart).array());
        out.writeBytes(le(20).putInt(0x07064b50).putInt(0).putLong(eocd64).putInt(1).array());
        out.writeBytes(le(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1)
                .putShort((short) -1).putInt(-1).putInt(-1).putShort((short) 0).array());
        Files.write(file, out.toByteArray());
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return (int) crc.getValue();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** The state-dict pickle torch writes for these tensors (storage i holds tensor i). */
    static byte[] pickle(List<TestTensor> tensors) {
        Pickle p = new Pickle();
        p.op(0x80).op(2);
        p.global("collections", "OrderedDict").op(')').op('R');
        p.op('(');
        for (int i = 0; i < tensors.size(); i++) {
            TestTensor t = tensors.get(i);
            p.unicode(t.name());
            p.global("torch._utils", "_rebuild_tensor_v2");
            p.op('(');
            // persistent id ('storage', torch.<T>Storage, key, 'cpu', numel)
            p.op('(').unicode("storage").global("torch", STORAGE.get(t.dtype())).unicode(Integer.toString(i))
                    .unicode("cpu").binint(numel(t)).op('t').op('Q');
            p.binint(0);
            p.op('(');
            for (long d : t.shape()) {
                p.binint(d);
            }
            p.op('t');
            p.op('(');
            long stride = 1;
            long[] strides = new long[t.shape().length];
            for (int d = strides.length - 1; d >= 0; d--) {
                strides[d] = stride;
                stride *= t.shape()[d];
            }
            for (long s : strides) {
                p.binint(s);
            }
            p.op('t');
            p.op(0x89);
            p.global("collections", "OrderedDict").op(')').op('R');
            p.op('t').op('R');
        }
        p.op('u').op('.');
        return p.bytes();
    }

    private static long numel(TestTensor t) {
        long n = 1;
        for (long d : t.shape()) {
            n *= d;
        }
        return n;
    }

    /** A minimal pickle opcode emitter. */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int code) {
            out.write(code);
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Pickle unicode(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        Pickle binint(long v) {
            op('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
