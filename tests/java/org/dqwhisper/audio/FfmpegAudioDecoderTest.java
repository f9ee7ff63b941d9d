package org.dqwhisper.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FFmpeg decoding (org.bytedeco:ffmpeg natives) and the format dispatch of {@link AudioLoader}. */
class FfmpegAudioDecoderTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void nativesLoad() throws IOException {
        FfmpegAudioDecoder.ensureLoaded(); // the natives are a declared runtime dependency: failing here is a defect
    }

    @Test
    void jfkFlacMatchesWhisperLoadAudio() throws IOException {
        float[] want = AudioFixtures.pcm();
        float[] got = FfmpegAudioDecoder.decode(AudioFixtures.JFK_FLAC);
        assertEquals(want.length, got.length, "176000 samples, as the ffmpeg command gives");
        double maxDiff = AudioFixtures.maxAbsDiff(got, want);
        int differing = 0;
        for (int i = 0; i < want.length; i++) {
            if (got[i] != want[i]) {
                differing++;
            }
        }
        double corr = correlation(got, want);
        System.out.printf("jfk.flac via libswresample vs whisper (ffmpeg 5.1.9 CLI): max abs diff %.3g (%.1f LSB),"
            + " %d of %d samples differ, correlation %.9f%n", maxDiff, maxDiff * 32768, differing, want.length, corr);
        // The same FLAC decoder and one libswresample context with its default options and s16 output, as the
        // ffmpeg command builds it: measured bit-identical (FFmpeg 8.1.2 here, 5.1.9 for the fixture). Should a
        // future FFmpeg change swr's filter, expect at most a 1-LSB (1/32768) difference and relax this then.
        assertEquals(0, differing, "samples differing from whisper's load_audio; max abs diff " + maxDiff);
    }

    /**
     * Lossy and lossless formats and video containers (audio not the first stream), each against the output of
     * whisper's own ffmpeg command (ffmpeg 5.1.9 CLI, stored beside the files) and against the synthetic source.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tone_44k_stereo.mp3", "tone_44k_stereo.opus", "tone_44k_stereo.ogg",
        "tone_44k_stereo.m4a", "tone_video.mp4", "tone_video.mkv"})
    void otherFormatsMatchWhispersFfmpegCommand(String name) throws IOException {
        float[] got = AudioLoader.load(AudioFixtures.DIR.resolve(name));
        byte[] raw = Files.readAllBytes(AudioFixtures.DIR.resolve("whisper_cli").resolve(name + ".s16le"));
        ShortBuffer s16 = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        float[] cli = new float[s16.remaining()];
        for (int i = 0; i < cli.length; i++) {
            cli[i] = s16.get(i) / 32768f;
        }
        assertEquals(cli.length, got.length, "sample count of the ffmpeg command");
        double maxDiff = AudioFixtures.maxAbsDiff(got, cli);
        System.out.printf("%s: %d samples, max abs diff vs the ffmpeg 5.1.9 command %.3g (%.0f LSB)%n", name,
            got.length, maxDiff, maxDiff * 32768);
        // The FLAC and MP3 paths are measured bit-identical; the float-based decoders (AAC, Vorbis, Opus) of
        // FFmpeg 8.1 vs 5.1 round a few samples differently: at most one 16-bit step.
        assertTrue(maxDiff <= 1.0 / 32768, name + ": max abs diff " + maxDiff);
        // and independently: the source's tones, 0.4 at 440 Hz and 0.2 at 1500 Hz (codec loss: 5 %)
        int from = 8000;
        assertEquals(0.4, toneAmplitude(got, from, 16000, 440), 0.02, name + " 440 Hz");
        assertEquals(0.2, toneAmplitude(got, from, 16000, 1500), 0.01, name + " 1500 Hz");
    }

    /** An MP3 whose sample rate changes from 44.1 to 22.05 kHz mid-stream: the resampler is rebuilt, nothing lost. */
    @Test
    void sampleRateChangeMidStream() throws IOException {
        float[] pcm = AudioLoader.load(AudioFixtures.DIR.resolve("rate_change.mp3"));
        // 2 s of audio plus the MP3 encoder delay/padding of two independent encodes (no gapless info): ~2.13 s
        assertTrue(pcm.length > 32000 && pcm.length < 35000, "length " + pcm.length);
        double amp = 0.125; // ffmpeg's sine source
        // a 4000-sample window (0.25 s) holds whole periods of both tones
        assertEquals(amp, toneAmplitude(pcm, 4000, 4000, 440), 0.1 * amp, "first part: 440 Hz");
        assertEquals(0, toneAmplitude(pcm, 4000, 4000, 1000), 0.01 * amp, "first part: no 1000 Hz");
        assertEquals(amp, toneAmplitude(pcm, 24000, 4000, 1000), 0.1 * amp, "second part: 1000 Hz");
        assertEquals(0, toneAmplitude(pcm, 24000, 4000, 440), 0.01 * amp, "second part: no 440 Hz");
    }

    @Test
    void audioLoaderReadsWavWithoutFfmpegAndFlacWithIt() throws IOException {
        float[] wav = AudioLoader.load(AudioFixtures.JFK_WAV);
        assertArrayEquals(AudioFixtures.pcm(), wav, "a 16 kHz mono s16 WAV is whisper's input exactly");
        float[] flac = AudioLoader.load(AudioFixtures.JFK_FLAC);
        assertArrayEquals(FfmpegAudioDecoder.decode(AudioFixtures.JFK_FLAC), flac);
        // the same WAV through FFmpeg: no resampling or downmix, so s16 / 32768 again
        assertArrayEquals(AudioFixtures.pcm(), FfmpegAudioDecoder.decode(AudioFixtures.JFK_WAV));
    }

    @Test
    void stereo44kWavGivesTheSameSignalThroughBothPaths() throws IOException {
        int rate = 44100;
        float[] mono = new float[rate * 2];
        int[] interleaved = new int[mono.length * 2];
        Random rnd = new Random(3);
        for (int i = 0; i < mono.length; i++) {
            double s = 0.3 * Math.sin(2 * Math.PI * 523.25 * i / rate) + 0.2 * Math.sin(2 * Math.PI * 2900 * i / rate)
                + 0.01 * rnd.nextGaussian();
            interleaved[2 * i] = (int) Math.round(32767 * Math.max(-1, Math.min(1, s * 1.2)));
            interleaved[2 * i + 1] = (int) Math.round(32767 * Math.max(-1, Math.min(1, s * 0.8)));
        }
        Path file = new WavFileBuilder().fmt(1, 2, rate, 16).data(WavFileBuilder.packInts(interleaved, 2))
            .write(dir.resolve("stereo.wav"));
        float[] ours = AudioLoader.load(file);
        float[] ffmpeg = FfmpegAudioDecoder.decode(file);
        assertEquals(32000, ours.length);
        assertEquals(ours.length, ffmpeg.length);
        // Different low-pass filters (ours: Kaiser 80 dB, transition 7.2-8 kHz; swr: its default 32-tap filter)
        // and swr's s16 rounding; the content here is below 3 kHz plus white noise, where both are flat.
        int edge = 200;
        float[] a = Arrays.copyOfRange(ours, edge, ours.length - edge);
        float[] b = Arrays.copyOfRange(ffmpeg, edge, ffmpeg.length - edge);
        double corr = correlation(a, b);
        double maxDiff = AudioFixtures.maxAbsDiff(a, b);
        System.out.printf("44.1 kHz stereo WAV: own resampler vs libswresample: correlation %.7f, max abs diff %.3g%n",
            corr, maxDiff);
        // measured: correlation 0.9999977, max abs diff 0.0021 (signal peak ~0.6)
        assertTrue(corr > 0.9999, "correlation " + corr);
        assertTrue(maxDiff < 0.01, "max abs diff " + maxDiff);
    }

    @Test
    void wavEncodingTheReaderLacksFallsBackToFfmpeg() throws IOException {
        int rate = 8000;
        int n = rate;
        byte[] mulaw = new byte[n];
        for (int i = 0; i < n; i++) {
            mulaw[i] = muLaw((int) Math.round(16384 * Math.sin(2 * Math.PI * 1000 * i / rate)));
        }
        Path file = new WavFileBuilder().fmt(7, 1, rate, 8).data(mulaw).write(dir.resolve("mulaw.wav"));
        float[] pcm = AudioLoader.load(file);
        assertEquals(16000, pcm.length);
        double amp = 0.5;
        double worst = 0;
        for (int i = 400; i < 15600; i++) {
            worst = Math.max(worst, Math.abs(pcm[i] - amp * Math.sin(2 * Math.PI * 1000 * i / 16000.0)));
        }
        // mu-law keeps 4 mantissa bits: steps of up to 1/16 of the segment, ~3% of this amplitude
        assertTrue(worst < 0.05 * amp, "worst deviation " + worst);
    }

    @Test
    void truncatedFlacDecodesItsIntactPrefix() throws IOException {
        byte[] all = Files.readAllBytes(AudioFixtures.JFK_FLAC);
        Path cut = Files.write(dir.resolve("cut.flac"), Arrays.copyOf(all, all.length / 2));
        float[] full = FfmpegAudioDecoder.decode(AudioFixtures.JFK_FLAC);
        float[] part = FfmpegAudioDecoder.decode(cut);
        assertTrue(part.length > full.length / 4 && part.length < full.length, "decoded " + part.length);
        int safe = part.length - 2000; // the resampler's tail differs where the input stops
        assertArrayEquals(Arrays.copyOf(full, safe), Arrays.copyOf(part, safe));
    }

    @Test
    void unreadableFilesGiveClearErrors() throws IOException {
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        Path garbage = Files.write(dir.resolve("garbage.mp3"), junk);
        IOException e = assertThrows(IOException.class, () -> AudioLoader.load(garbage));
        assertTrue(e.getMessage().contains(garbage.toString()), e.getMessage());

        Path empty = Files.write(dir.resolve("empty.m4a"), new byte[0]);
        e = assertThrows(IOException.class, () -> AudioLoader.load(empty));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());

        Path text = Files.writeString(dir.resolve("notes.txt"), "no audio in here\n".repeat(100));
        e = assertThrows(IOException.class, () -> AudioLoader.load(text));
        assertTrue(e.getMessage().contains(text.toString()), e.getMessage());

        assertThrows(NoSuchFileException.class, () -> AudioLoader.load(dir.resolve("absent.flac")));
        assertThrows(NoSuchFileException.class, () -> FfmpegAudioDecoder.decode(dir));

        // a corrupt WAV is reported by the WAV reader, not handed to FFmpeg
        Path badWav = new WavFileBuilder().fmt(1, 0, 16000, 16, 0).data(new byte[4]).write(dir.resolve("bad.wav"));
        assertThrows(AudioFormatException.class, () -> AudioLoader.load(badWav));
    }

    /** Amplitude of an integer-Hz tone over {@code len} samples at 16 kHz (single DFT bin, whole periods). */
    private static double toneAmplitude(float[] x, int from, int len, double hz) {
        double re = 0;
        double im = 0;
        for (int i = 0; i < len; i++) {
            double a = 2 * Math.PI * hz * i / 16000;
            re += x[from + i] * Math.cos(a);
            im -= x[from + i] * Math.sin(a);
        }
        return 2 * Math.hypot(re, im) / len;
    }

    /** In a JVM whose class path lacks the FFmpeg natives jar: FLAC fails clearly, WAV still loads. */
    @Test
    void missingNativesGiveAClearExceptionAndWavStillWorks() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> !(e.contains("ffmpeg") && e.contains("linux-x86_64")))
            .collect(Collectors.joining(File.pathSeparator));
        assertTrue(System.getProperty("java.class.path").contains("ffmpeg"), "natives jar expected on the test path");
        String flac = runProbe(classPath, AudioFixtures.JFK_FLAC);
        assertTrue(flac.contains("THROWN " + FfmpegUnavailableException.class.getName())
            && flac.contains("FFmpeg natives"), flac);
        assertTrue(runProbe(classPath, AudioFixtures.JFK_WAV).contains("LOADED 176000"));
    }

    private String runProbe(String classPath, Path file) throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-cp", classPath,
            "-Dorg.bytedeco.javacpp.cachedir=" + dir.resolve("javacpp-cache"), // not the shared extraction cache
            FfmpegLoadProbe.class.getName(), file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private static double correlation(float[] a, float[] b) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    /** G.711 mu-law encoding of a 16-bit sample. */
    private static byte muLaw(int sample) {
        int sign = sample < 0 ? 0x80 : 0;
        int s = Math.min(Math.abs(sample), 32635) + 0x84;
        int exponent = 7;
        for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1) {
            exponent--;
        }
        int mantissa = (s >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }
}
