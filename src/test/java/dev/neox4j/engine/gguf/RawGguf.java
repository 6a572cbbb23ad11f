package dev.neox4j.engine.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: writes arbitrary (also invalid) GGUF bytes field by field, little-endian. */
final class RawGguf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic "GGUF", version, tensor count, KV count. */
    static RawGguf header(int version, long nTensors, long nKv) {
        return new RawGguf().bytes('G', 'G', 'U', 'F').u32(version).u64(nTensors).u64(nKv);
    }

    RawGguf bytes(int... b) {
        for (int x : b) {
            out.write(x);
        }
        return this;
    }

    RawGguf bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    RawGguf u8(int v) {
        out.write(v);
        return this;
    }

    RawGguf u16(int v) {
        return u8(v).u8(v >>> 8);
    }

    RawGguf u32(int v) {
        return u8(v).u8(v >>> 8).u8(v >>> 16).u8(v >>> 24);
    }

    RawGguf u64(long v) {
        return u32((int) v).u32((int) (v >>> 32));
    }

    RawGguf str(String s) {
        return str(s.getBytes(StandardCharsets.UTF_8));
    }

    RawGguf str(byte[] b) {
        return u64(b.length).bytes(b);
    }

    RawGguf kvU32(String key, int v) {
        return str(key).u32(GgufValueType.UINT32.id).u32(v);
    }

    RawGguf kvString(String key, String v) {
        return str(key).u32(GgufValueType.STRING.id).str(v);
    }

    /** A tensor-info record with the given raw type id and offset. */
    RawGguf tensor(String name, int typeId, long offset, long... ne) {
        str(name).u32(ne.length);
        for (long d : ne) {
            u64(d);
        }
        return u32(typeId).u64(offset);
    }

    RawGguf zeros(long n) {
        for (long i = 0; i < n; i++) {
            out.write(0);
        }
        return this;
    }

    /** Zero padding up to a multiple of {@code align}. */
    RawGguf padTo(int align) {
        return zeros((align - out.size() % align) % align);
    }

    int size() {
        return out.size();
    }

    byte[] toBytes() {
        return out.toByteArray();
    }

    Path write(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, out.toByteArray());
        return p;
    }
}
