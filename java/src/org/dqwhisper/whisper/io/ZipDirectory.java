package org.dqwhisper.whisper.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip file (ZIP64 included), read directly so that the absolute file
 * offset of each entry's data is known and stored entries can be memory-mapped in place (what
 * {@link java.util.zip.ZipFile} does not expose). PyTorch writes its checkpoints uncompressed.
 */
final class ZipDirectory {
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;
    private static final long MAX_CENTRAL_BYTES = 256L << 20;

    static final int STORED = 0;
    static final int DEFLATED = 8;

    /** One entry as the central directory describes it; see {@link #dataOffset} for where its bytes start. */
    record Entry(String name, int method, long compressedSize, long size, long crc, long localHeaderOffset) {}

    private ZipDirectory() {}

    static Map<String, Entry> read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        int tailLength = (int) Math.min(fileSize, 22 + 65535);
        ByteBuffer tail = readAt(channel, fileSize - tailLength, tailLength);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--) {
            if (tail.getInt(i) == EOCD_SIG && i + 22 + (tail.getShort(i + 20) & 0xffff) == tailLength) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) throw new CheckpointFormatException(file, "not a zip file (no end-of-central-directory record)");
        long eocdPos = fileSize - tailLength + eocd;
        if ((tail.getShort(eocd + 4) & 0xffff) != 0 || (tail.getShort(eocd + 6) & 0xffff) != 0) {
            throw new CheckpointFormatException(file, "multi-disk zip files are not supported");
        }
        long count = tail.getShort(eocd + 10) & 0xffff;
        long centralSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long centralOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        if (count == 0xffff || centralSize == 0xffffffffL || centralOffset == 0xffffffffL) {
            if (eocdPos < 20) throw new CheckpointFormatException(file, "ZIP64 locator missing");
            ByteBuffer locator = readAt(channel, eocdPos - 20, 20);
            if (locator.getInt(0) != ZIP64_LOCATOR_SIG) throw new CheckpointFormatException(file, "ZIP64 locator missing");
            long z64 = locator.getLong(8);
            if (z64 < 0 || z64 > eocdPos - 56) throw new CheckpointFormatException(file, "ZIP64 end record offset " + z64 + " out of range");
            ByteBuffer rec = readAt(channel, z64, 56);
            if (rec.getInt(0) != ZIP64_EOCD_SIG) throw new CheckpointFormatException(file, "ZIP64 end record missing at " + z64);
            count = rec.getLong(32);
            centralSize = rec.getLong(40);
            centralOffset = rec.getLong(48);
        }
        if (centralOffset < 0 || centralSize < 0 || centralSize > MAX_CENTRAL_BYTES || centralOffset + centralSize > eocdPos) {
            throw new CheckpointFormatException(file, "central directory [" + centralOffset + ", +" + centralSize + ") out of range");
        }
        ByteBuffer cd = readAt(channel, centralOffset, (int) centralSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL_SIG) {
                throw new CheckpointFormatException(file, "central directory entry " + i + " is corrupt");
            }
            int flags = cd.getShort(p + 8) & 0xffff;
            int method = cd.getShort(p + 10) & 0xffff;
            long crc = cd.getInt(p + 16) & 0xffffffffL;
            long csize = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long localOffset = cd.getInt(p + 42) & 0xffffffffL;
            if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
                throw new CheckpointFormatException(file, "central directory entry " + i + " runs past the directory");
            }
            String name = new String(bytes(cd, p + 46, nameLen), StandardCharsets.UTF_8);
            // ZIP64 extra field: the 0xffffffff fields, in the order size, compressed size, offset
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xffff;
                int len = cd.getShort(x + 2) & 0xffff;
                int v = x + 4;
                if (v + len > xEnd) break;
                if (id == 0x0001) {
                    if (usize == 0xffffffffL && v + 8 <= x + 4 + len) { usize = cd.getLong(v); v += 8; }
                    if (csize == 0xffffffffL && v + 8 <= x + 4 + len) { csize = cd.getLong(v); v += 8; }
                    if (localOffset == 0xffffffffL && v + 8 <= x + 4 + len) { localOffset = cd.getLong(v); }
                }
                x += 4 + len;
            }
            if ((flags & 1) != 0) throw new CheckpointFormatException(file, name, "zip entry is encrypted");
            if (csize < 0 || usize < 0 || localOffset < 0 || localOffset + 30 > centralOffset) {
                throw new CheckpointFormatException(file, name, "zip entry sizes or offset out of range");
            }
            if (localOffset + 30 + csize > centralOffset) {
                throw new CheckpointFormatException(file, name, "zip entry [" + localOffset + ", +" + csize + ") runs into the central directory");
            }
            if (entries.put(name, new Entry(name, method, csize, usize, crc, localOffset)) != null) {
                throw new CheckpointFormatException(file, name, "zip entry name appears twice");
            }
            p += 46 + nameLen + extraLen + commentLen;
        }
        return Collections.unmodifiableMap(entries);
    }

    /**
     * The absolute offset of {@code entry}'s data, read from its local header (done per used entry,
     * not for the whole directory: checkpoints can have many entries).
     */
    static long dataOffset(Path file, FileChannel channel, Entry entry) throws IOException {
        ByteBuffer local = readAt(channel, entry.localHeaderOffset(), 30);
        if (local.getInt(0) != LOCAL_SIG) {
            throw new CheckpointFormatException(file, entry.name(), "local zip header missing at " + entry.localHeaderOffset());
        }
        long dataOffset = entry.localHeaderOffset() + 30 + (local.getShort(26) & 0xffff) + (local.getShort(28) & 0xffff);
        if (dataOffset + entry.compressedSize() > channel.size()) {
            throw new CheckpointFormatException(file, entry.name(), "zip entry data [" + dataOffset + ", +" + entry.compressedSize()
                    + ") runs past the end of the file");
        }
        return dataOffset;
    }

    private static byte[] bytes(ByteBuffer b, int at, int length) {
        byte[] out = new byte[length];
        b.get(at, out);
        return out;
    }

    static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        SafetensorsHeader.readFully(channel, b, position);
        return b.flip();
    }
}
