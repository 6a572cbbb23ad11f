package dev.neox4j.engine.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes {@code .safetensors} files as the reference library does (8-byte length, JSON header padded to 8). */
final class SafetensorsWriter {

    private SafetensorsWriter() {
    }

    static void write(Path file, List<TestTensor> tensors) throws IOException {
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long off = 0;
        for (TestTensor t : tensors) {
            h.append(",\"").append(t.name()).append("\":{\"dtype\":\"").append(t.dtype()).append("\",\"shape\":[");
            for (int i = 0; i < t.shape().length; i++) {
                h.append(i == 0 ? "" : ",").append(t.shape()[i]);
            }
            h.append("],\"data_offsets\":[").append(off).append(',').append(off + t.bytes().length).append("]}");
            off += t.bytes().length;
        }
        h.append('}');
        while ((h.length() + 8) % 8 != 0) {
            h.append(' ');
        }
        writeRaw(file, h.toString(), tensors);
    }

    /** A file with exactly this header text and the tensors' bytes after it. */
    static void writeRaw(Path file, String header, List<TestTensor> tensors) throws IOException {
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).array());
        out.write(hb);
        for (TestTensor t : tensors) {
            out.write(t.bytes());
        }
        Files.write(file, out.toByteArray());
    }
}
