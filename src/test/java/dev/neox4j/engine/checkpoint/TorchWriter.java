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
