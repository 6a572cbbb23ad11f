package dev.neox4j.engine.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a ZIP archive (ZIP64 included), as far as a torch checkpoint needs it: each entry's name,
 * compression method, size and the file offset of its data. {@code torch.save} stores entries uncompressed, so a
 * tensor's bytes can be mapped in place; compressed entries are listed but refused by {@link #storedData}.
 */
final class ZipDirectory {
    private static final int EOCD = 0x06054b50;
    private static final int EOCD64 = 0x06064b50;
    private static final int EOCD64_LOCATOR = 0x07064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    /** Most entries accepted (a checkpoint has one per storage plus a few). */
    private static final int MAX_ENTRIES = 1 << 20;

    /** One entry: its data starts at {@code dataOffset} (absolute) and is {@code size} bytes. */
    record Entry(String name, int method, long size, long compressedSize, long localHeaderOffset) {
    }

    private final String source;
    private final FileChannel ch;
    private final long fileSize;
    private final Map<String, Entry> entries;

    private ZipDirectory(String source, FileChannel ch, long fileSize, Map<String, Entry> entries) {
        this.source = source;
        this.ch = ch;
        this.fileSize = fileSize;
        this.entries = entries;
    }

    /** Reads the central directory of the archive open on {@code ch}. */
    static ZipDirectory read(FileChannel ch, String source) throws IOException {
        long size = ch.size();
        int tail = (int) Math.min(size, 65_535 + 22);
        ByteBuffer t = read(ch, size - tail, tail, source);
        int at = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (t.getInt(i) == EOCD) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new CheckpointFormatException(source + ": not a ZIP archive (no end-of-central-directory record;"
                    + " neox4j reads torch.save's zip format, not the legacy pickle-only format)");
        }
        long count = t.getShort(at + 10) & 0xffff;
        long cdSize = t.getInt(at + 12) & 0xffffffffL;
        long cdOffset = t.getInt(at + 16) & 0xffffffffL;
        long eocdPos = size - tail + at;
        if ((count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) && eocdPos >= 20) {
            ByteBuffer loc = read(ch, eocdPos - 20, 20, source);
            if (loc.getInt(0) == EOCD64_LOCATOR) {
                long e64 = loc.getLong(8);
                ByteBuffer r = read(ch, check(e64, 56, size, source), 56, source);
                if (r.getInt(0) != EOCD64) {
                    throw new CheckpointFormatException(source + ": corrupt ZIP64 end-of-central-directory record");
                }
                count = r.getLong(32);
                cdSize = r.getLong(40);
                cdOffset = r.getLong(48);
            }
        }
        if (count < 0 || count > MAX_ENTRIES || cdSize < 0 || cdSize > Integer.MAX_VALUE) {
            throw new CheckpointFormatException(source + ": implausible ZIP directory (" + count + " entries, "
                    + cdSize + " bytes)");
        }
        ByteBuffer cd = read(ch, check(cdOffset, cdSize, size, source), (int) cdSize, source);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL) {
                throw new CheckpointFormatException(source + ": corrupt ZIP central directory at entry " + i);
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long local = cd.getInt(p + 42) & 0xffffffffL;
            if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
                throw new CheckpointFormatException(source + ": corrupt ZIP central directory at entry " + i);
            }
            byte[] nb = new byte[nameLen];
            cd.get(p + 46, nb);
            String name = new String(nb, java.nio.charset.StandardCharsets.UTF_8);
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xffff;
                int len = cd.getShort(x + 2) & 0xffff;
                int q = x + 4;
                if (id == 0x0001) {
                    if (usize == 0xffffffffL && q + 8 <= xEnd) {
                        usize = cd.getLong(q);
                        q += 8;
                    }
                    if (csize == 0xffffffffL && q + 8 <= xEnd) {
                        csize = cd.getLong(q);
                        q += 8;
                    }
                    if (local == 0xffffffffL && q + 8 <= xEnd) {
                        local = cd.getLong(q);
                    }
                }
                x += 4 + len;
            }
            entries.put(name, new Entry(name, method, usize, csize, local));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return new ZipDirectory(source, ch, size, entries);
    }

    /** Entries by name, in directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    /**
     * The absolute file offset of an uncompressed entry's data, checked to lie inside the file.
     *
     * @throws CheckpointFormatException if the entry is compressed or its data lies outside the file
     */
    long storedData(Entry e) throws IOException {
        if (e.method() != 0 || e.size() != e.compressedSize()) {
            throw new CheckpointFormatException(source + ": entry '" + e.name() + "' is compressed (method "
                    + e.method() + "); torch.save stores tensor data uncompressed");
        }
        ByteBuffer h = read(ch, check(e.localHeaderOffset(), 30, fileSize, source), 30, source);
        if (h.getInt(0) != LOCAL) {
            throw new CheckpointFormatException(source + ": corrupt ZIP local header of '" + e.name() + "'");
        }
        long data = e.localHeaderOffset() + 30 + (h.getShort(26) & 0xffff) + (h.getShort(28) & 0xffff);
        return check(data, e.size(), fileSize, source);
    }

    /** Reads a whole (small) entry into memory. */
    byte[] readEntry(Entry e, int maxBytes) throws IOException {
        if (e.size() > maxBytes) {
            throw new CheckpointFormatException(source + ": entry '" + e.name() + "' of " + e.size()
                    + " bytes exceeds " + maxBytes);
        }
        ByteBuffer b = read(ch, storedData(e), (int) e.size(), source);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static long check(long offset, long length, long size, String source) {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new CheckpointFormatException(source + ": ZIP structure points outside the file (offset "
                    + offset + ", " + length + " bytes, file " + size + " bytes)");
        }
        return offset;
    }

    private static ByteBuffer read(FileChannel ch, long pos, int len, String source) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new CheckpointFormatException(source + ": unexpected end of file");
            }
        }
        return b.flip();
    }
}
