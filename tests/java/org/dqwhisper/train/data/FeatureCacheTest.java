package org.dqwhisper.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.WavWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureCacheTest {
    private static final LogMelSpectrogram FRONT = new LogMelSpectrogram(80);

    @TempDir
    Path tmp;

    /** Noise bursts with a loud click in the very last sample (the frame most sensitive to padding). */
    static float[] utterance(int samples, long seed) {
        Random rng = new Random(seed);
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) {
            x[i] = (float) (0.1 * rng.nextGaussian() * Math.abs(Math.sin(i / 2000.0)));
        }
        if (samples > 0) {
            x[samples - 1] = 0.99f;
        }
        return x;
    }

    static Path wav(Path folder, String name, float[] x) throws IOException {
        Path p = folder.resolve(name);
        WavWriter.writePcm16(p, x, 16000);
        return p;
    }

    @Test
    void transcribeWindowIsBitIdenticalToWhispersFirstWindow() {
        for (int samples : new int[] {250, 16000, 43_219, 479_999}) {
            float[] x = utterance(samples, samples);
            LogMelFeatures f = FeatureCache.compute(x, FRONT, FeatureCache.Framing.TRANSCRIBE_WINDOW);
            assertArrayEquals(FRONT.transcribeFirstWindow(x).toFloatArray(), f.window(), "samples " + samples);
            assertEquals(Math.min(3000, samples / 160), f.contentFrames());
            assertEquals(0f, f.fill());
            assertTrue(f.storedFrames() <= Math.max(1, samples / 160), "stored " + f.storedFrames());
        }
        float[] silence = new float[8000];
        assertArrayEquals(FRONT.transcribeFirstWindow(silence).toFloatArray(),
            FeatureCache.compute(silence, FRONT, FeatureCache.Framing.TRANSCRIBE_WINDOW).window());
    }

    @Test
    void paddedAudioIsWhispersPaddedInputStoredCompactly() {
        float[] x = utterance(40_000, 3);
        LogMelFeatures f = FeatureCache.compute(x, FRONT, FeatureCache.Framing.PADDED_AUDIO);
        assertArrayEquals(FRONT.audioPaddedInput(x).toFloatArray(), f.window());
        // frames past the audio hold the log floor; only the audio frames and the ones overlapping its end are kept
        assertTrue(f.storedFrames() >= 250 && f.storedFrames() <= 254, "stored " + f.storedFrames());
        assertEquals(250, f.contentFrames());
    }

    @Test
    void memoryCacheAnswersRepeatsAndRespectsItsBudget() throws IOException {
        Path a = wav(tmp, "a.wav", utterance(32_000, 1));
        Path b = wav(tmp, "b.wav", utterance(32_000, 2));
        FeatureCache cache = new FeatureCache(80, FeatureCache.Framing.TRANSCRIBE_WINDOW, 1 << 20, null);
        LogMelFeatures first = cache.get(a);
        assertSame(first, cache.get(a));
        assertEquals(1, cache.stats().memoryHits());
        assertEquals(1, cache.stats().computed());
        // the features of the file equal those of its samples as AudioLoader reads them
        assertArrayEquals(FeatureCache.compute(AudioLoader.load(a), FRONT, FeatureCache.Framing.TRANSCRIBE_WINDOW)
            .values(), first.values());

        // a budget that holds one utterance: a, b, a computes three times
        FeatureCache small = new FeatureCache(80, FeatureCache.Framing.TRANSCRIBE_WINDOW, first.bytes() + 10, null);
        small.get(a);
        small.get(b);
        small.get(a);
        assertEquals(3, small.stats().computed());
        assertEquals(1, small.stats().entriesInMemory());
        assertTrue(small.stats().bytesInMemory() <= first.bytes() + 10);
        FeatureCache none = new FeatureCache(80, FeatureCache.Framing.TRANSCRIBE_WINDOW, 0, null);
        none.get(a);
        none.get(a);
        assertEquals(2, none.stats().computed());
    }

    @Test
    void diskCacheIsReusedAndInvalidatedByAChangedFile() throws IOException {
        Path a = wav(tmp, "a.wav", utterance(24_000, 4));
        Path disk = tmp.resolve("features");
        LogMelFeatures computed = new FeatureCache(80, FeatureCache.Framing.TRANSCRIBE_WINDOW, 0, disk).get(a);
        List<Path> files = list(disk);
        assertEquals(1, files.size());
        assertTrue(files.get(0).toString().endsWith(".safetensors"));

        FeatureCache fresh = new FeatureCache(80, FeatureCache.Framing.TRANSCRIBE_WINDOW, 0, disk);
        LogMelFeatures loaded = fresh.get(a);
        assertEquals(1, fresh.stats().diskHits());
        assertEquals(0, fresh.stats().computed());
        assertEquals(computed, new LogMelFeatures(loaded.nMels(), loaded.storedFrames(), loaded.contentFrames(),
            loaded.fill(), computed.values()));
        assertArrayEquals(computed.values(), loaded.values());

        // another framing or mel count is another entry
        new FeatureCache(80, FeatureCache.Framing.PADDED_AUDIO, 0, disk).get(a);
        assertEquals(2, list(disk).size());

        // the audio changes: new content and modification time -> recomputed from the new samples
        wav(tmp, "a.wav", utterance(24_000, 5));
        Files.setLastModifiedTime(a, FileTime.fromMillis(Files.getLastModifiedTime(a).toMillis() + 5000));
        FeatureCache after = new FeatureCache(80, FeatureCache.Framing.TRANSCRIBE_WINDOW, 0, disk);
        LogMelFeatures changed = after.get(a);
        assertEquals(1, after.stats().computed());
        assertTrue(!java.util.Arrays.equals(computed.values(), changed.values()));

        // a damaged cache file is recomputed, not trusted
        for (Path f : list(disk)) {
            Files.write(f, new byte[] {1, 2, 3});
        }
        FeatureCache damaged = new FeatureCache(80, FeatureCache.Framing.TRANSCRIBE_WINDOW, 0, disk);
        assertArrayEquals(changed.values(), damaged.get(a).values());
        assertEquals(1, damaged.stats().computed());
    }

    @Test
    void audioLongerThanThirtySecondsIsRefused() throws IOException {
        Path longWav = wav(tmp, "long.wav", new float[480_001]);
        FeatureCache cache = new FeatureCache(80, FeatureCache.Framing.TRANSCRIBE_WINDOW, 0, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cache.get(longWav));
        assertTrue(e.getMessage().contains("long.wav") && e.getMessage().contains("30 s"), e.getMessage());
        assertThrows(IOException.class, () -> cache.get(tmp.resolve("missing.wav")));
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }
}
