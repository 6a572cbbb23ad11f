package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.gguf.FilePages;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a {@code pytorch_model*.bin} file written by {@code torch.save}: a ZIP archive whose {@code <dir>/data.pkl}
 * pickles the state dict and whose {@code <dir>/data/<key>} entries hold the storages, uncompressed. The pickle
 * goes through the {@link RestrictedUnpickler} (nothing is executed); each tensor must be a row-major view of one
 * storage and becomes a slice of the mapped archive.
 */
final class TorchCheckpointFile {
    /** Largest {@code data.pkl} accepted (a state dict's pickle is a few hundred KB). */
    static final int MAX_PICKLE_BYTES = 64 << 20;

    private TorchCheckpointFile() {
    }

    /**
     * Maps {@code path} into {@code arena} and returns the tensors of its state dict in pickle order.
     *
     * @throws CheckpointFormatException naming the file and the defect
     */
    static Map<String, StoredTensor> open(Path path, Arena arena, boolean serve) throws IOException {
        String src = path.getFileName().toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ZipDirectory zip = ZipDirectory.read(ch, src);
            ZipDirectory.Entry pkl = null;
            for (ZipDirectory.Entry e : zip.entries().values()) {
                if (e.name().endsWith("/data.pkl") && e.name().indexOf('/') == e.name().length() - 9) {
                    if (pkl != null) {
                        throw new CheckpointFormatException(src + ": more than one data.pkl in the archive");
                    }
                    pkl = e;
                }
            }
            if (pkl == null) {
                throw new CheckpointFormatException(src + ": no <dir>/data.pkl entry; not a torch.save archive");
            }
            String prefix = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
            ZipDirectory.Entry order = zip.entries().get(prefix + "byteorder");
            if (order != null) {
                String bo = new String(zip.readEntry(order, 16), StandardCharsets.US_ASCII).trim();
                if (!bo.equals("little")) {
                    throw new CheckpointFormatException(src + ": byte order '" + bo + "' is not supported");
                }
            }
            Object root = RestrictedUnpickler.load(zip.readEntry(pkl, MAX_PICKLE_BYTES), src + ": " + pkl.name());
            if (!(root instanceof Map<?, ?> dict)) {
                throw new CheckpointFormatException(src + ": the pickle holds no state dict");
            }
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            if (serve) { // weights read from the mapping for every token
                FilePages.adviseHugePages(path, all, FilePages.MIN_BYTES);
            }
            Map<String, StoredTensor> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> en : dict.entrySet()) {
                if (!(en.getKey() instanceof String name)) {
                    throw new CheckpointFormatException(src + ": state dict key " + en.getKey() + " is not a string");
                }
                if (!(en.getValue() instanceof RestrictedUnpickler.TensorRef t)) {
                    continue; // e.g. non-tensor entries; the model loader asks for the tensors it needs
                }
                out.put(name, tensor(zip, prefix, name, t, all, path, src));
            }
            return out;
        }
    }

    private static StoredTensor tensor(ZipDirectory zip, String prefix, String name, RestrictedUnpickler.TensorRef t,
                                       MemorySegment all, Path path, String src) throws IOException {
        String what = src + ": tensor '" + name + "'";
        RestrictedUnpickler.StorageRef s = t.storage();
        ZipDirectory.Entry e = zip.entries().get(prefix + "data/" + s.key());
        if (e == null) {
            throw new CheckpointFormatException(what + ": storage data/" + s.key() + " is missing from the archive");
        }
        int eb = StoredTensor.elementBytes(s.dtype());
        long[] size = t.size();
        long elements = 1;
        long expect = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && t.stride()[i] != expect) {
                throw new CheckpointFormatException(what + " is not contiguous (size " + java.util.Arrays.toString(size)
                        + ", stride " + java.util.Arrays.toString(t.stride()) + ")");
            }
            expect = Math.multiplyExact(expect, size[i]);
            elements = Math.multiplyExact(elements, size[i]);
        }
        long begin = Math.multiplyExact(t.storageOffset(), eb);
        long bytes = Math.multiplyExact(elements, eb);
        long storageBytes = Math.multiplyExact(s.numel(), eb);
        if (e.size() < storageBytes || begin + bytes > storageBytes) {
            throw new CheckpointFormatException(what + " lies outside its storage (" + e.size() + " bytes)");
        }
        long data = zip.storedData(e) + begin;
        return new StoredTensor(name, s.dtype(), size, all.asSlice(data, bytes), path, data);
    }
}
