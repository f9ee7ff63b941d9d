package org.dqwhisper.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** WAV decoding on the whisper fixture and on WAV files written byte by byte in the test. */
class WavReaderTest {
    @TempDir
    Path dir;

    @Test
    void jfkWavEqualsWhisperPcmExactly() throws IOException {
        PcmAudio audio = WavReader.read(AudioFixtures.JFK_WAV);
        assertEquals(16000, audio.sampleRate());
        assertEquals(1, audio.sourceChannels());
        float[] want = AudioFixtures.pcm();
        assertEquals(want.length, audio.samples().length);
        for (int i = 0; i < want.length; i++) {
            // int16 / 32768 is exact in float: bit-identical to whisper's int16 / 32768.0
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(audio.samples()[i])) {
                throw new AssertionError("sample " + i + ": " + audio.samples()[i] + " vs whisper " + want[i]);
            }
        }
        WavReader.WavHeader h = WavReader.readHeader(AudioFixtures.JFK_WAV);
        assertEquals(44, h.dataOffset());
        assertEquals(176000, h.frames());
    }

    /** Integer PCM of every container size, mono and multi-channel; expectation formed independently in double. */
    @ParameterizedTest
    @ValueSource(ints = {8, 16, 24, 32})
    void integerPcmOfEverySizeAndChannelCount(int bits) throws IOException {
        for (int channels : new int[] {1, 2, 3, 6}) {
            int frames = 257;
            int[] samples = randomInts(frames * channels, bits, bits * 31 + channels);
            Path file = new WavFileBuilder().fmt(1, channels, 22050, bits)
                .data(WavFileBuilder.packInts(samples, bits / 8)).write(dir.resolve("pcm" + bits + "_" + channels
                    + ".wav"));
            PcmAudio audio = WavReader.read(file);
            assertEquals(22050, audio.sampleRate());
            assertEquals(channels, audio.sourceChannels());
            assertEquals(frames, audio.samples().length);
            double full = Math.pow(2, bits - 1);
            for (int f = 0; f < frames; f++) {
                double mean = 0;
                for (int c = 0; c < channels; c++) {
                    mean += samples[f * channels + c] / full;
                }
                mean /= channels;
                // one float rounding of the exact mean (the reader divides an exact integer sum once)
                assertEquals((float) mean, audio.samples()[f], bits + "-bit, " + channels + " ch, frame " + f);
            }
        }
    }

    @Test
    void extremesOfEachIntegerFormat() throws IOException {
        assertSamples(new WavFileBuilder().fmt(1, 1, 8000, 8).data(new byte[] {0, (byte) 128, (byte) 255}),
            -1f, 0f, 127f / 128);
        assertSamples(new WavFileBuilder().fmt(1, 1, 8000, 16).data(WavFileBuilder.packInts(
            new int[] {-32768, 0, 32767, -1}, 2)), -1f, 0f, 32767f / 32768, -1f / 32768);
        assertSamples(new WavFileBuilder().fmt(1, 1, 8000, 24).data(WavFileBuilder.packInts(
            new int[] {-8388608, 8388607, -1}, 3)), -1f, (float) (8388607 / 8388608.0), (float) (-1 / 8388608.0));
        assertSamples(new WavFileBuilder().fmt(1, 1, 8000, 32).data(WavFileBuilder.packInts(
            new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, 4)), -1f, (float) (Integer.MAX_VALUE / 2147483648.0));
    }

    @Test
    void floatAndDoubleSamplesPassThrough() throws IOException {
        float[] f = {0.25f, -0.75f, 1.5f, -1e-8f};
        assertSamples(new WavFileBuilder().fmt(3, 1, 16000, 32).data(WavFileBuilder.packFloats(f)), f);
        double[] d = {0.1, -0.2, 0.3, 0.999999};
        assertSamples(new WavFileBuilder().fmt(3, 1, 16000, 64).data(WavFileBuilder.packDoubles(d)),
            0.1f, -0.2f, 0.3f, 0.999999f);
        // stereo float: the mean of the two channels
        assertSamples(new WavFileBuilder().fmt(3, 2, 16000, 32).data(WavFileBuilder.packFloats(
            new float[] {0.5f, 0.25f, -1f, 1f})), 0.375f, 0f);
    }

    @Test
    void extensibleFormatWithFewerValidBits() throws IOException {
        // 20 valid bits left-justified in 24-bit containers: scaled by the container (2^23), like any 24-bit file
        int[] v = {0x7FFFF0, -0x800000, 0x000010};
        assertSamples(new WavFileBuilder().fmtExtensible(1, 1, 48000, 24, 20).data(WavFileBuilder.packInts(v, 3)),
            (float) (0x7FFFF0 / 8388608.0), -1f, (float) (16 / 8388608.0));
        assertSamples(new WavFileBuilder().fmtExtensible(3, 2, 48000, 32, 32).data(WavFileBuilder.packFloats(
            new float[] {0.5f, -0.5f, 0.25f, 0.75f})), 0f, 0.5f);
        WavReader.WavHeader h = WavReader.readHeader(new WavFileBuilder().fmtExtensible(1, 2, 44100, 16, 16)
            .data(new byte[8]).write(dir.resolve("ext.wav")));
        assertEquals(WavReader.FORMAT_PCM, h.encoding());
        assertEquals(2, h.frames());
    }

    @Test
    void unknownAndOddSizedChunksAreSkipped() throws IOException {
        WavFileBuilder b = new WavFileBuilder()
            .chunk("JUNK", new byte[3])                       // odd size: one pad byte follows
            .fmt(1, 1, 16000, 16)
            .chunk("LIST", "INFOISFT\u0005\u0000\u0000\u0000Lavf\u0000".getBytes(java.nio.charset.StandardCharsets
                .ISO_8859_1))
            .chunk("fact", new byte[] {2, 0, 0, 0})
            .data(WavFileBuilder.packInts(new int[] {16384, -16384}, 2))
            .chunk("id3 ", new byte[5]);                     // trailing chunks after the data are ignored
        assertSamples(b, 0.5f, -0.5f);
    }

    @Test
    void fmtAfterDataIsAccepted() throws IOException {
        WavFileBuilder b = new WavFileBuilder().data(WavFileBuilder.packInts(new int[] {8192, 24576, -8192}, 2))
            .fmt(1, 1, 16000, 16);
        assertSamples(b, 0.25f, 0.75f, -0.25f);
    }

    @Test
    void rf64FileIsRead() throws IOException {
        byte[] data = WavFileBuilder.packInts(new int[] {1000, -1000, 3000, 5000}, 2);
        PcmAudio audio = WavReader.read(new WavFileBuilder().rf64(data.length).fmt(1, 2, 32000, 16).data(data)
            .write(dir.resolve("rf64.wav")));
        assertEquals(32000, audio.sampleRate());
        assertEquals(2, audio.samples().length);
        assertEquals(0f, audio.samples()[0]);
        assertEquals(4000f / 32768, audio.samples()[1]);
        assertTrue(WavReader.readHeader(dir.resolve("rf64.wav")).rf64());
    }

    @Test
    void unknownDataSizeReadsToTheEnd() throws IOException {
        // streaming writers leave 0xFFFFFFFF in a plain RIFF data size
        byte[] bytes = new WavFileBuilder().fmt(1, 1, 16000, 16).chunk("data",
            WavFileBuilder.packInts(new int[] {100, 200, 300}, 2), 0xFFFFFFFFL).build();
        Path file = Files.write(dir.resolve("stream.wav"), bytes);
        assertEquals(3, WavReader.read(file).samples().length);
    }

    @Test
    void stereo44kFileDownmixesThenResamples() throws IOException {
        int rate = 44100;
        int frames = rate; // 1 s
        int[] interleaved = new int[frames * 2];
        for (int i = 0; i < frames; i++) {
            double s = Math.sin(2 * Math.PI * 440 * i / rate);
            interleaved[2 * i] = (int) Math.round(12000 * s);      // left
            interleaved[2 * i + 1] = (int) Math.round(4000 * s);   // right: same phase, mean amplitude 8000
        }
        Path file = new WavFileBuilder().fmt(1, 2, rate, 16).data(WavFileBuilder.packInts(interleaved, 2))
            .write(dir.resolve("stereo44k.wav"));
        float[] pcm16k = AudioLoader.load(file);
        assertEquals(16000, pcm16k.length);
        // interior samples follow the 440 Hz tone of amplitude 8000/32768 (resampler passband: 1e-3 relative)
        double amp = 8000.0 / 32768;
        for (int i = 400; i < 15600; i++) {
            double ideal = amp * Math.sin(2 * Math.PI * 440 * i / 16000.0);
            assertEquals(ideal, pcm16k[i], 1e-3 * amp + 2.0 / 32768, "sample " + i); // + 16-bit rounding of L, R
        }
    }

    @Test
    void truncatedDataIsReported() throws IOException {
        byte[] ok = new WavFileBuilder().fmt(1, 1, 16000, 16).data(new byte[1000]).build();
        Path file = Files.write(dir.resolve("truncated.wav"), Arrays.copyOf(ok, 500));
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> WavReader.read(file));
        assertProblem(e, file, 44, "truncated");
        assertTrue(e.getMessage().contains("1000") && e.getMessage().contains("456"), e.getMessage());
    }

    @Test
    void corruptHeadersAreReported() throws IOException {
        Path zeroChannels = new WavFileBuilder().fmt(1, 0, 16000, 16, 0).data(new byte[4]).write(dir.resolve("z.wav"));
        assertProblem(assertThrows(AudioFormatException.class, () -> WavReader.read(zeroChannels)), zeroChannels,
            22, "zero channels");

        Path shortFmt = new WavFileBuilder().chunk("fmt ", new byte[10]).data(new byte[4]).write(dir.resolve("f.wav"));
        assertProblem(assertThrows(AudioFormatException.class, () -> WavReader.read(shortFmt)), shortFmt, 12,
            "needs at least 16");

        Path badAlign = new WavFileBuilder().fmt(1, 2, 16000, 16, 3).data(new byte[12]).write(dir.resolve("a.wav"));
        assertProblem(assertThrows(AudioFormatException.class, () -> WavReader.read(badAlign)), badAlign, 32,
            "block align 3");

        Path badBits = new WavFileBuilder().fmt(3, 1, 16000, 16).data(new byte[4]).write(dir.resolve("b.wav"));
        assertProblem(assertThrows(AudioFormatException.class, () -> WavReader.read(badBits)), badBits, 34,
            "IEEE float with 16 bits");

        Path zeroRate = new WavFileBuilder().fmt(1, 1, 0, 16).data(new byte[4]).write(dir.resolve("r.wav"));
        assertProblem(assertThrows(AudioFormatException.class, () -> WavReader.read(zeroRate)), zeroRate, 24,
            "sample rate 0");

        Path partial = new WavFileBuilder().fmt(1, 2, 16000, 16).data(new byte[10]).write(dir.resolve("p.wav"));
        assertProblem(assertThrows(AudioFormatException.class, () -> WavReader.read(partial)), partial, 52,
            "not a multiple of the block size 4");

        Path noData = new WavFileBuilder().fmt(1, 1, 16000, 16).chunk("LIST", new byte[4]).write(dir.resolve("n.wav"));
        assertProblem(assertThrows(AudioFormatException.class, () -> WavReader.read(noData)), noData, 48,
            "'data' chunk");

        Path notRiff = Files.write(dir.resolve("x.wav"), "OggS not a wave file".getBytes());
        assertProblem(assertThrows(AudioFormatException.class, () -> WavReader.read(notRiff)), notRiff, 0,
            "not a RIFF file");

        Path tiny = Files.write(dir.resolve("t.wav"), new byte[] {'R', 'I', 'F', 'F'});
        assertProblem(assertThrows(AudioFormatException.class, () -> WavReader.read(tiny)), tiny, 0, "too short");
    }

    @Test
    void otherEncodingsAreReportedAsUnsupported() throws IOException {
        Path mulaw = new WavFileBuilder().fmt(7, 1, 8000, 8).data(new byte[4]).write(dir.resolve("mulaw.wav"));
        UnsupportedWavEncodingException e = assertThrows(UnsupportedWavEncodingException.class,
            () -> WavReader.read(mulaw));
        assertProblem(e, mulaw, 20, "0x0007");
    }

    @Test
    void missingFileIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> WavReader.read(dir.resolve("absent.wav")));
    }

    @Test
    void looksLikeWavChecksRiffAndWave() {
        assertTrue(WavReader.looksLikeWav("RIFF\0\0\0\0WAVE".getBytes()));
        assertTrue(WavReader.looksLikeWav("RF64\0\0\0\0WAVE".getBytes()));
        assertFalse(WavReader.looksLikeWav("RIFF\0\0\0\0AVI ".getBytes()));
        assertFalse(WavReader.looksLikeWav("fLaC".getBytes()));
    }

    private void assertSamples(WavFileBuilder b, float... want) throws IOException {
        PcmAudio audio = WavReader.read(b.write(Files.createTempFile(dir, "w", ".wav")));
        assertEquals(want.length, audio.samples().length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], audio.samples()[i], "sample " + i);
        }
    }

    private static void assertProblem(AudioFormatException e, Path file, long offset, String problem) {
        assertEquals(file, e.file());
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.problem().contains(problem), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("offset " + offset),
            e.getMessage());
    }

    private static int[] randomInts(int n, int bits, long seed) {
        Random rnd = new Random(seed);
        int[] v = new int[n];
        long lo = -(1L << (bits - 1));
        long span = 1L << bits;
        for (int i = 0; i < n; i++) {
            v[i] = (int) (lo + (long) (rnd.nextDouble() * span));
        }
        v[0] = (int) lo;                   // the extremes are always in
        v[n - 1] = (int) (lo + span - 1);
        return v;
    }
}
