package dev.neox4j.engine.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (v2 or v3), memory-mapped once into a {@link MemorySegment} of a shared {@link Arena}.
 *
 * <p>{@link #open(Path)} validates the whole header (docs/gguf.md, "What the reader rejects") before returning: a
 * malformed file fails with a {@link GgufFormatException} whose message names the file, the defect and where it is.
 * Tensor data is never copied: {@link #data(GgufTensorInfo)} returns a slice of the mapping. Files larger
 * than 2 GiB work. {@link #close()} unmaps the file; slices must not be used afterwards.
 *
 * <p>The slices are plain native segments (the class of every other off-heap segment: repacked weights, the KV
 * cache, converted checkpoints), not the JDK's mapped-segment class, wherever this module may call restricted
 * methods ({@code --enable-native-access}). A Vector API kernel compiled for one segment class and then handed
 * the other hits an uncommon trap, and the recompiled kernel ran 10-15x slower for the rest of the process
 * (measured: a Q6_K row kernel 11.5 -> 0.75 GB/s; BENCHMARKS.md, session 14). {@link #releasePages} stands in for
 * the mapped class's {@code unload()}. Files of {@link FilePages#MIN_BYTES} and more are mapped with 2 MiB pages
 * where Linux allows it ({@link FilePages}: a 12b's decode read its weights 1.6x as fast).
 *
 * <p>The reader accepts every tensor type listed in {@link GgmlType} (including ones neox4j cannot compute
 * with, see {@link GgmlType#supported}); removed and unknown type ids are refused. Model loaders decide which
 * types they support.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    /** The file's mapping ({@code isMapped()}) behind {@link #segment}, or {@code null} when not a mapped file. */
    private final MemorySegment mapping;
    private final int version;
    private final long alignment;
    private final long dataOffset;
    private final GgufMetadata metadata;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> byName;
    /** Tensor bytes by name for an {@link #assemble assembled} model; {@code null} for a mapped GGUF file. */
    private final Map<String, MemorySegment> assembled;
    private final long assembledBytes;

    private GgufFile(Path path, Arena arena, MemorySegment segment, MemorySegment mapping, GgufParser.Header header) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.mapping = mapping;
        this.version = header.version();
        this.alignment = header.alignment();
        this.dataOffset = header.dataOffset();
        this.metadata = header.metadata();
        this.tensors = header.tensors();
        this.byName = index(tensors);
        this.assembled = null;
        this.assembledBytes = 0;
    }

    private GgufFile(Path path, Arena arena, GgufMetadata metadata, List<GgufTensorInfo> tensors,
                     Map<String, MemorySegment> data) {
        this.path = path;
        this.arena = arena;
        this.segment = MemorySegment.NULL;
        this.mapping = null;
        this.version = 3;
        this.alignment = 1;
        this.dataOffset = 0;
        this.metadata = metadata;
        this.tensors = List.copyOf(tensors);
        this.byName = index(tensors);
        Map<String, MemorySegment> plain = new LinkedHashMap<>();
        data.forEach((name, seg) -> plain.put(name, seg.isMapped() ? plainNative(seg) : seg));
        this.assembled = Map.copyOf(plain);
        long bytes = 0;
        for (GgufTensorInfo t : tensors) {
            MemorySegment s = data.get(t.name());
            if (s == null || s.byteSize() != t.byteSize()) {
                throw new IllegalArgumentException(t.name() + ": no data of " + t.byteSize() + " bytes");
            }
            bytes += t.byteSize();
        }
        this.assembledBytes = bytes;
    }

    private static Map<String, GgufTensorInfo> index(List<GgufTensorInfo> tensors) {
        Map<String, GgufTensorInfo> m = new LinkedHashMap<>();
        for (GgufTensorInfo t : tensors) {
            if (m.put(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate tensor '" + t.name() + "'");
            }
        }
        return m;
    }

    /**
     * A model assembled in memory from metadata and tensor bytes that live elsewhere (slices of other mapped
     * files, or memory of {@code arena}), such as a transformers checkpoint directory read as if it were a
     * GGUF file. The returned file owns {@code arena}: {@link #close()} closes it, which unmaps and frees every
     * segment allocated in it. {@link #segment()} is {@link MemorySegment#NULL}; {@link #fileSize()} is the sum
     * of the tensor sizes.
     *
     * @param path     the model's location (a directory for a checkpoint), reported by {@link #path()}
     * @param metadata the keys a GGUF file of this model would hold (its {@link GgufMetadata#source()} names it)
     * @param tensors  tensor infos; their offsets are informational
     * @param data     each tensor's bytes by name, exactly {@link GgufTensorInfo#byteSize()} long
     * @throws IllegalArgumentException if a tensor has no data of its size or a name repeats
     */
    public static GgufFile assemble(Path path, Arena arena, GgufMetadata metadata, List<GgufTensorInfo> tensors,
                                    Map<String, MemorySegment> data) {
        return new GgufFile(path, arena, metadata, tensors, data);
    }

    /**
     * Maps and validates a GGUF file to read it once or a few times (a conversion, a check): the page cache is used
     * as it is. A model served from the mapping opens with {@link #openToServe}.
     *
     * @throws IOException         if the file cannot be opened or mapped
     * @throws GgufFormatException if the file is not a valid GGUF v2/v3 file
     */
    public static GgufFile open(Path path) throws IOException {
        return open(path, false);
    }

    /**
     * Maps and validates a GGUF file whose weights will be read from the mapping for every token: a mapping of
     * {@link FilePages#MIN_BYTES} or more is advised to use 2 MiB pages first, which may write back and drop the
     * file's page cache once when it holds small pages (see {@link FilePages}).
     *
     * @throws IOException         if the file cannot be opened or mapped
     * @throws GgufFormatException if the file is not a valid GGUF v2/v3 file
     */
    public static GgufFile openToServe(Path path) throws IOException {
        return open(path, true);
    }

    private static GgufFile open(Path path, boolean serve) throws IOException {
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        if (java.nio.file.Files.isDirectory(path)) {
            // (mapping a directory fails with the bare OS message "No such device")
            throw new java.io.IOException(path + ": is a directory, not a GGUF file");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            GgufParser.checkMinimumSize(name, size);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                if (serve) {
                    FilePages.adviseHugePages(path, mapped, FilePages.MIN_BYTES); // before the first read of it
                }
                MemorySegment seg = plainNative(mapped);
                GgufParser.Header header = new GgufParser(seg, name).parse();
                return new GgufFile(path, arena, seg, mapped, header);
            } catch (Throwable t) {
                arena.close();
                throw t;
            }
        }
    }

    /**
     * Parses and validates GGUF bytes already in memory (meant for small files such as a tokenizer loaded from
     * the classpath). The bytes are copied once into off-heap memory that {@link #close()} frees;
     * {@link #path()} is {@code null}.
     *
     * @param name file name used in error messages
     * @throws GgufFormatException if the bytes are not a valid GGUF v2/v3 file
     */
    public static GgufFile read(byte[] bytes, String name) {
        GgufParser.checkMinimumSize(name, bytes.length);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = arena.allocate(bytes.length, 64);
            MemorySegment.copy(bytes, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            return new GgufFile(null, arena, seg.asReadOnly(), null, new GgufParser(seg, name).parse());
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }

    /** The path this file was opened from ({@code null} for {@link #read(byte[], String)}). */
    public Path path() {
        return path;
    }

    /** The file name used in error messages. */
    public String fileName() {
        return metadata.source();
    }

    /** GGUF version (2 or 3). */
    public int version() {
        return version;
    }

    /** File size in bytes (for an assembled model: the bytes of its tensors). */
    public long fileSize() {
        return assembled != null ? assembledBytes : segment.byteSize();
    }

    /** Data alignment ({@code general.alignment} or 32). */
    public long alignment() {
        return alignment;
    }

    /**
     * Absolute file offset of the tensor data section (may equal or exceed the file size when there are no tensors).
     */
    public long dataOffset() {
        return dataOffset;
    }

    /** Key/value metadata. */
    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensor infos in file order (unmodifiable). */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    /** The tensor with this name, if present. */
    public Optional<GgufTensorInfo> findTensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The tensor with this name; throws {@link GgufFormatException} naming the file and the missing tensor. */
    public GgufTensorInfo tensor(String name) {
        GgufTensorInfo t = byName.get(name);
        if (t == null) {
            throw new GgufFormatException(fileName() + ": missing tensor '" + name + "'");
        }
        return t;
    }

    /** Absolute file offset of the tensor's first byte. */
    public long absoluteOffset(GgufTensorInfo info) {
        return dataOffset + info.offset();
    }

    /**
     * The tensor's bytes as a read-only slice of the mapping (no copy).
     *
     * @throws IllegalArgumentException if the info does not belong to this file
     * @throws IllegalStateException    if the file is closed
     */
    public MemorySegment data(GgufTensorInfo info) {
        GgufTensorInfo own = byName.get(info.name());
        if (own == null || !own.equals(info)) {
            throw new IllegalArgumentException(fileName() + ": tensor '" + info.name() + "' is not in this file");
        }
        if (!isOpen()) {
            throw new IllegalStateException(fileName() + " is closed");
        }
        return assembled != null ? assembled.get(info.name()) : segment.asSlice(dataOffset + info.offset(),
                info.byteSize());
    }

    /**
     * {@code mapped} as a plain native segment over the same bytes, with the same scope and read-only flag (see the
     * class comment for why); {@code mapped} itself where this module may not call restricted methods.
     */
    private static MemorySegment plainNative(MemorySegment mapped) {
        return GgufFile.class.getModule().isNativeAccessEnabled() ? mapped.reinterpret(mapped.byteSize()) : mapped;
    }

    /**
     * Drops this process's mapping of {@code slice}'s pages, a slice of this mapped file's {@link #data} no
     * longer read (a loader copied it into another layout): resident memory shrinks, the bytes stay in the page
     * cache and a later read faults them back in. Does nothing for a file that is not mapped or a slice that is not
     * inside it.
     */
    public void releasePages(MemorySegment slice) {
        if (mapping == null || !isOpen()) {
            return;
        }
        long offset = slice.address() - segment.address();
        if (offset < 0 || slice.byteSize() > segment.byteSize() - offset) {
            return;
        }
        mapping.asSlice(offset, slice.byteSize()).unload();
    }

    /** The whole mapped file (read-only). */
    public MemorySegment segment() {
        return segment;
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return arena.scope().isAlive();
    }

    /** Unmaps the file. Idempotent. Slices returned by {@link #data} become unusable. */
    @Override
    public void close() {
        synchronized (this) {
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version + ", " + metadata.size() + " keys, " + tensors.size()
                + " tensors]";
    }
}
