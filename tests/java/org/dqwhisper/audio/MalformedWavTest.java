package org.dqwhisper.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged WAV files: seeded truncations and header corruptions of a real PCM file. Each one either decodes to
 * finite 16 kHz samples or throws an {@link IOException} that names the file; no other exception escapes
 * (a corrupt sample-rate field once reached the resampler and threw NegativeArraySizeException).
 */
class MalformedWavTest {
    @TempDir
    Path dir;

    private static final int HEADER = 44;

    private byte[] original() {
        int[] samples = new int[2 * 2205]; // 0.1 s stereo at 22.05 kHz, a 440 Hz tone
        for (int i = 0; i < samples.length; i++) samples[i] = (int) (8000 * Math.sin(2 * Math.PI * 440 * (i / 2) / 22050.0));
        return new WavFileBuilder().fmt(1, 2, 22050, 16).data(WavFileBuilder.packInts(samples, 2)).build();
    }

    @Test
    void everyMutationDecodesOrThrowsANamedIOException() throws IOException {
        byte[] orig = original();
        Random rnd = new Random(20261127);
        int decoded = 0, refused = 0;
        for (int it = 0; it < 300; it++) {
            byte[] b = orig.clone();
            String what;
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    int len = rnd.nextBoolean() ? rnd.nextInt(HEADER + 8) : rnd.nextInt(b.length);
                    b = Arrays.copyOf(b, len);
                    what = "truncated to " + len;
                }
                case 1 -> {
                    int off = rnd.nextInt(HEADER);
                    b[off] ^= (byte) (1 << rnd.nextInt(8));
                    what = "bit flip at " + off;
                }
                default -> {
                    int off = rnd.nextInt(HEADER - 4);
                    for (int j = 0; j < 4; j++) b[off + j] = (byte) rnd.nextInt(256);
                    what = "4 random bytes at " + off;
                }
            }
            Path f = dir.resolve("m" + it + ".wav");
            Files.write(f, b);
            try {
                PcmAudio pcm = WavReader.read(f);
                float[] x = Resampler.toWhisperRate(pcm.samples(), pcm.sampleRate());
                for (float v : x) assertTrue(Float.isFinite(v), what + ": non-finite sample");
                decoded++;
            } catch (IOException e) {
                assertTrue(e.getMessage() != null && e.getMessage().contains(f.getFileName().toString()),
                        what + ": message does not name the file: " + e);
                refused++;
            } catch (RuntimeException e) {
                fail(what + ": " + e, e);
            }
        }
        assertEquals(300, decoded + refused);
        assertTrue(decoded > 0 && refused > 0, decoded + " decoded, " + refused + " refused: the mutations exercise both outcomes");
    }

    @Test
    void sampleRateOutsideTheSupportedRangeIsNamed() throws IOException {
        byte[] b = original();
        for (long rate : new long[] {0, WavReader.MAX_SAMPLE_RATE + 1L, 352_554_908L, 0xFFFFFFFFL}) {
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(24, (int) rate);
            Path f = dir.resolve("rate" + rate + ".wav");
            Files.write(f, b);
            AudioFormatException e = assertThrows(AudioFormatException.class, () -> WavReader.read(f));
            assertTrue(e.getMessage().contains("sample rate " + rate) && e.getMessage().contains("offset 24"), e.getMessage());
        }
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(24, WavReader.MAX_SAMPLE_RATE).putInt(28, WavReader.MAX_SAMPLE_RATE * 4);
        Path f = dir.resolve("fastest.wav");
        Files.write(f, b);
        PcmAudio pcm = WavReader.read(f);
        assertEquals(WavReader.MAX_SAMPLE_RATE, pcm.sampleRate());
        float[] x = Resampler.toWhisperRate(pcm.samples(), pcm.sampleRate());
        assertEquals(Math.round(pcm.samples().length * 16000.0 / WavReader.MAX_SAMPLE_RATE), x.length);
    }
}
