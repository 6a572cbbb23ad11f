package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.FilePages;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code .safetensors} file: an 8-byte little-endian header length {@code N}, {@code N} bytes of JSON
 * ({@code name -> {dtype, shape, data_offsets: [begin, end)}} plus an optional {@code __metadata__} object), then
 * the data buffer; offsets are relative to the start of the buffer (see {@code docs/checkpoints.md}).
 *
 * <p>The header is read with plain I/O and checked completely before anything is trusted: {@code N} at most
 * {@value #MAX_HEADER_BYTES} bytes and within the file, valid UTF-8 JSON, every known dtype's byte count equal to
 * its shape's, every range inside the data buffer and no two ranges overlapping. The file is then mapped read-only
 * into the caller's arena; tensors are slices of that mapping.
 */
final class SafetensorsFile {
    /** Largest header accepted (the reference implementation's limit): 100 MB. */
    static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;

    private SafetensorsFile() {
    }

    /**
     * Maps {@code path} into {@code arena} and returns its tensors in header order.
     *
     * @throws CheckpointFormatException naming the file and the defect when the file is malformed
     */
    static Map<String, StoredTensor> open(Path path, Arena arena, boolean serve) throws IOException {
        String src = path.getFileName().toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointFormatException(src + ": " + size + " bytes, too short for a safetensors file");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, src);
            long n = lenBuf.getLong(0);
            if (n < 0 || n > MAX_HEADER_BYTES) {
                throw new CheckpointFormatException(src + ": header of " + Long.toUnsignedString(n)
                        + " bytes refused (at most " + MAX_HEADER_BYTES + ")");
            }
            if (n > size - 8) {
                throw new CheckpointFormatException(src + ": header of " + n + " bytes runs past the end of the "
                        + size + "-byte file");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8, src);
            String json;
            try {
                json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb.flip()).toString();
            } catch (CharacterCodingException e) {
                throw new CheckpointFormatException(src + ": header is not valid UTF-8", e);
            }
            long dataStart = 8 + n;
            List<Entry> entries = parseHeader(JsonFields.parseObject(json, src + " header"), src, size - dataStart);
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            if (serve) { // weights read from the mapping for every token
                FilePages.adviseHugePages(path, all, FilePages.MIN_BYTES);
            }
            Map<String, StoredTensor> out = new LinkedHashMap<>();
            for (Entry e : entries) {
                out.put(e.name, new StoredTensor(e.name, e.dtype, e.shape,
                        all.asSlice(dataStart + e.begin, e.end - e.begin), path, dataStart + e.begin));
            }
            return out;
        }
    }

    private record Entry(String name, String dtype, long[] shape, long begin, long end) {
    }

    private static List<Entry> parseHeader(Map<String, Object> header, String src, long dataBytes) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> me : header.entrySet()) {
            String name = me.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            if (!(me.getValue() instanceof Map<?, ?>)) {
                throw new CheckpointFormatException(src + ": header entry '" + name + "' is not an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) me.getValue();
            String what = src + ": tensor '" + name + "'";
            String dtype = JsonFields.string(t, "dtype", null, what);
            if (dtype == null) {
                throw new CheckpointFormatException(what + " has no dtype");
            }
            List<Object> shapeList = JsonFields.list(t, "shape", what);
            long[] shape = new long[shapeList.size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                if (!(shapeList.get(i) instanceof Long d) || d < 0) {
                    throw new CheckpointFormatException(what + " has an invalid shape " + shapeList);
                }
                shape[i] = d;
                try {
                    elements = Math.multiplyExact(elements, d);
                } catch (ArithmeticException ex) {
                    throw new CheckpointFormatException(what + " has a shape too large " + shapeList, ex);
                }
            }
            List<Object> offsets = JsonFields.list(t, "data_offsets", what);
            if (offsets.size() != 2 || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
                throw new CheckpointFormatException(what + " needs data_offsets [begin, end], got " + offsets);
            }
            if (begin < 0 || end < begin || end > dataBytes) {
                throw new CheckpointFormatException(what + " has data_offsets [" + begin + ", " + end
                        + "] outside the " + dataBytes + "-byte data buffer");
            }
            int eb = StoredTensor.elementBytes(dtype);
            if (eb > 0) {
                long want;
                try {
                    want = Math.multiplyExact(elements, eb);
                } catch (ArithmeticException ex) {
                    throw new CheckpointFormatException(what + " has a shape too large " + shapeList, ex);
                }
                if (end - begin != want) {
                    throw new CheckpointFormatException(what + " holds " + (end - begin) + " bytes but " + dtype
                            + shapeList + " needs " + want);
                }
            }
            entries.add(new Entry(name, dtype, shape, begin, end));
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).begin < sorted.get(i - 1).end) {
                throw new CheckpointFormatException(src + ": tensors '" + sorted.get(i - 1).name + "' and '"
                        + sorted.get(i).name + "' overlap");
            }
        }
        return entries;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, String src) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos + buf.position());
            if (r < 0) {
                throw new CheckpointFormatException(src + ": unexpected end of file");
            }
        }
    }
}
