package org.dqwhisper.audio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The whisper reference tensors in {@code tests/data/audio/audio_reference.safetensors}, read once. */
final class AudioFixtures {
    static final Path DIR = Path.of("tests/data/audio");
    static final Path JFK_WAV = DIR.resolve("jfk_16k_mono_s16.wav");
    static final Path JFK_FLAC = DIR.resolve("jfk.flac");

    private static Map<String, SafetensorsF32.Entry> reference;

    private AudioFixtures() {
    }

    static synchronized SafetensorsF32.Entry get(String name) {
        if (reference == null) {
            Path file = DIR.resolve("audio_reference.safetensors");
            try {
                reference = SafetensorsF32.parse(Files.readAllBytes(file), file.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        SafetensorsF32.Entry e = reference.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no reference tensor " + name);
        }
        return e;
    }

    static float[] pcm() {
        return get("pcm_f32").values();
    }

    /** Largest |a - b| over two equally long arrays. */
    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
