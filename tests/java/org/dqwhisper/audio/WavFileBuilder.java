package org.dqwhisper.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes real WAV files byte by byte for tests: a RIFF (or RF64) header, then chunks in the order added. Sizes are
 * filled in as declared, so tests can also produce inconsistent (corrupt) files on purpose.
 */
final class WavFileBuilder {
    private final ByteArrayOutputStream chunks = new ByteArrayOutputStream();
    private boolean rf64;

    /** Makes the file RF64: the 'data' chunk size is written as 0xFFFFFFFF and a ds64 chunk comes first. */
    WavFileBuilder rf64(long dataSize) {
        rf64 = true;
        ByteBuffer ds = le(28);
        ds.putLong(0);        // RIFF size, filled by build()
        ds.putLong(dataSize);
        ds.putLong(0);        // sample count (unused)
        ds.putInt(0);         // table length
        chunk("ds64", ds.array());
        return this;
    }

    /** A plain 16-byte fmt chunk. */
    WavFileBuilder fmt(int tag, int channels, int rate, int bits) {
        int blockAlign = channels * ((bits + 7) / 8);
        return fmt(tag, channels, rate, bits, blockAlign);
    }

    WavFileBuilder fmt(int tag, int channels, int rate, int bits, int blockAlign) {
        ByteBuffer b = le(16);
        b.putShort((short) tag).putShort((short) channels).putInt(rate).putInt(rate * blockAlign)
            .putShort((short) blockAlign).putShort((short) bits);
        return chunk("fmt ", b.array());
    }

    /** A 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk with sub-format {@code subTag} (1 PCM, 3 float). */
    WavFileBuilder fmtExtensible(int subTag, int channels, int rate, int containerBits, int validBits) {
        int blockAlign = channels * containerBits / 8;
        ByteBuffer b = le(40);
        b.putShort((short) 0xFFFE).putShort((short) channels).putInt(rate).putInt(rate * blockAlign)
            .putShort((short) blockAlign).putShort((short) containerBits);
        b.putShort((short) 22).putShort((short) validBits).putInt(channels == 2 ? 3 : 4);
        b.putShort((short) subTag).putShort((short) 0);
        b.put(new byte[] {0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71});
        return chunk("fmt ", b.array());
    }

    /** Any chunk; odd sizes get the RIFF pad byte. */
    WavFileBuilder chunk(String id, byte[] body) {
        return chunk(id, body, body.length);
    }

    /** A chunk whose declared size may differ from the bytes written (for corrupt files). */
    WavFileBuilder chunk(String id, byte[] body, long declaredSize) {
        chunks.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
        chunks.writeBytes(le(4).putInt((int) declaredSize).array());
        chunks.writeBytes(body);
        if ((body.length & 1) == 1) {
            chunks.write(0);
        }
        return this;
    }

    WavFileBuilder data(byte[] body) {
        return rf64 ? chunk("data", body, 0xFFFFFFFFL) : chunk("data", body);
    }

    byte[] build() {
        byte[] body = chunks.toByteArray();
        ByteBuffer out = le(12 + body.length);
        out.put((rf64 ? "RF64" : "RIFF").getBytes(StandardCharsets.US_ASCII));
        out.putInt(rf64 ? -1 : 4 + body.length);
        out.put("WAVE".getBytes(StandardCharsets.US_ASCII));
        out.put(body);
        byte[] bytes = out.array();
        if (rf64) {
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(20, bytes.length - 8L);
        }
        return bytes;
    }

    Path write(Path file) throws IOException {
        Files.write(file, build());
        return file;
    }

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Interleaved integer samples packed little-endian into {@code bytesPerSample} bytes (8-bit: unsigned). */
    static byte[] packInts(int[] interleaved, int bytesPerSample) {
        ByteBuffer b = le(interleaved.length * bytesPerSample);
        for (int v : interleaved) {
            switch (bytesPerSample) {
                case 1 -> b.put((byte) (v + 128));
                case 2 -> b.putShort((short) v);
                case 3 -> b.put((byte) v).put((byte) (v >> 8)).put((byte) (v >> 16));
                default -> b.putInt(v);
            }
        }
        return b.array();
    }

    static byte[] packFloats(float[] interleaved) {
        ByteBuffer b = le(interleaved.length * 4);
        for (float v : interleaved) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] packDoubles(double[] interleaved) {
        ByteBuffer b = le(interleaved.length * 8);
        for (double v : interleaved) {
            b.putDouble(v);
        }
        return b.array();
    }
}
