package org.dqwhisper.decode;

import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

/**
 * Whisper's {@code compression_ratio(text)}: the UTF-8 byte length of the text divided by the length of its
 * zlib-compressed form. Decoding treats a ratio above 2.4 (the default {@code compression_ratio_threshold}) as a
 * sign of repetition loops and retries at a higher temperature.
 *
 * <p>Whisper calls Python's {@code zlib.compress(bytes)}, whose default level is {@code Z_DEFAULT_COMPRESSION}
 * (-1, which zlib maps to level 6), with a zlib wrapper (2-byte header + deflate data + 4-byte Adler-32), window
 * bits 15 and memory level 8. {@link Deflater} with level 6 and {@code nowrap=false} makes the same
 * {@code deflateInit2} call, so with the same zlib the compressed size is identical; an empty text gives
 * 0 / 8 = 0.0 as in Python.
 */
public final class CompressionRatio {
    /** Whisper's default {@code compression_ratio_threshold}. */
    public static final double WHISPER_THRESHOLD = 2.4;

    private CompressionRatio() {}

    /** The compression ratio of the UTF-8 bytes of {@code text}. */
    public static double of(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return (double) bytes.length / zlibCompressedLength(bytes);
    }

    /** Length in bytes of {@code zlib.compress(bytes)} (level 6, zlib wrapper). */
    public static int zlibCompressedLength(byte[] bytes) {
        Deflater deflater = new Deflater(6, false);
        try {
            deflater.setInput(bytes);
            deflater.finish();
            byte[] buffer = new byte[bytes.length + bytes.length / 1000 + 64];
            int total = 0;
            while (!deflater.finished()) {
                total += deflater.deflate(buffer);
            }
            return total;
        } finally {
            deflater.end();
        }
    }
}
