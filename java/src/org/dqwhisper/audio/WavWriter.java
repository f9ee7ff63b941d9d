package org.dqwhisper.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes mono 16-bit PCM WAV files. A float sample {@code x} becomes {@code round(clamp(x, -1, 1) * 32767)}, so
 * {@link WavReader} reads back {@code s / 32768} (within one quantization step of the input). Files are written
 * atomically: to a temporary file in the target's folder, which is fsynced and renamed over the target.
 */
public final class WavWriter {
    private static final int HEADER_BYTES = 44;

    private WavWriter() {
    }

    /** The complete file contents: a 44-byte RIFF header and little-endian 16-bit samples. */
    public static byte[] encodePcm16(float[] samples, int sampleRate) {
        if (samples == null) {
            throw new IllegalArgumentException("samples must not be null");
        }
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
        }
        long dataBytes = 2L * samples.length;
        if (dataBytes > 0xFFFFFFFFL - 36) {
            throw new IllegalArgumentException(samples.length + " samples do not fit a RIFF WAV file");
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + (int) dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("RIFF")).putInt((int) (36 + dataBytes)).put(ascii("WAVE"));
        b.put(ascii("fmt ")).putInt(16).putShort((short) 1).putShort((short) 1).putInt(sampleRate)
            .putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        b.put(ascii("data")).putInt((int) dataBytes);
        for (float x : samples) {
            b.putShort(toPcm16(x));
        }
        return b.array();
    }

    /** One sample as 16-bit PCM: {@code round(clamp(x, -1, 1) * 32767)}; NaN becomes 0. */
    public static short toPcm16(float x) {
        if (Float.isNaN(x)) {
            return 0;
        }
        double clamped = Math.max(-1.0, Math.min(1.0, x));
        return (short) Math.round(clamped * 32767.0);
    }

    /** Writes {@code samples} to {@code target} as a 16-bit mono WAV file, atomically. */
    public static void writePcm16(Path target, float[] samples, int sampleRate) throws IOException {
        writeAtomically(target, encodePcm16(samples, sampleRate));
    }

    /**
     * Writes {@code bytes} to {@code target} through a temporary file in the same folder and an atomic rename; on
     * failure the target is unchanged and the temporary file removed.
     */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path tmp = Files.createTempFile(folder, "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
