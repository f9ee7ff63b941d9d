package org.dqwhisper.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.io.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpCommandTest {
    static final Path FIX = Path.of("tests/data/tiny-random-a");

    /** dump --mel with the fixture's own mel reproduces OpenAI's outputs (1e-4, as the model test). */
    @Test
    void dumpFromMelMatchesReference(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("dump.safetensors");
        int rc = Main.run("dump", "--model", FIX.resolve("hf").toString(), "--mel", FIX.resolve("expected.safetensors").toString(),
                "--tokens", "50258,50259,50359,50363,400,370,452,7177,6280,11", "--out", out.toString());
        assertEquals(0, rc);
        try (SafetensorsFile got = SafetensorsFile.open(out); SafetensorsFile ref = SafetensorsFile.open(FIX.resolve("expected.safetensors"))) {
            assertEquals(max(got, "mel", ref, "mel"), 0.0, "mel is copied through");
            assertTrue(max(got, "encoder_output", ref, "encoder_output") <= 1e-4);
            assertTrue(max(got, "logits", ref, "prompt_logits") <= 1e-4);
        }
    }

    /** dump --audio runs the whole front end: jfk.flac through FFmpeg and the log-mel (≤ 1e-4 vs OpenAI's mel). */
    @Test
    void dumpFromAudioRunsTheFrontEnd(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("dump.safetensors");
        assertEquals(0, Main.run("dump", "--model", FIX.resolve("openai").toString(), "--audio", "tests/data/audio/jfk.flac",
                "--tokens", "50258,50259,50359,50363", "--precision", "int8", "--out", out.toString()));
        try (SafetensorsFile got = SafetensorsFile.open(out); SafetensorsFile ref = SafetensorsFile.open(FIX.resolve("expected.safetensors"))) {
            assertTrue(max(got, "mel", ref, "mel") <= 1e-4);
            try (Tensor l = got.readF32("logits", "logits")) {
                assertArrayEquals(new long[] {4, 51865}, l.shape());
            }
        }
    }

    @Test
    void badInputIsAClearError(@TempDir Path dir) {
        assertEquals(1, Main.run("dump", "--model", FIX.resolve("hf").toString(), "--mel", FIX.resolve("hf/model.safetensors").toString(),
                "--tokens", "1", "--out", dir.resolve("x.safetensors").toString()));
        assertEquals(1, Main.run("dump", "--model", FIX.resolve("hf").toString(), "--mel", FIX.resolve("expected.safetensors").toString(),
                "--tokens", "99999999", "--out", dir.resolve("x.safetensors").toString()));
        assertFalse(dir.resolve("x.safetensors").toFile().exists(), "nothing written on failure");
    }

    static double max(SafetensorsFile a, String na, SafetensorsFile b, String nb) throws Exception {
        try (Tensor x = a.readF32(na, na); Tensor y = b.readF32(nb, nb)) {
            assertArrayEquals(y.shape(), x.shape(), na);
            float[] p = x.toFloatArray(), q = y.toFloatArray();
            double m = 0;
            for (int i = 0; i < p.length; i++) m = Math.max(m, Math.abs((double) p[i] - q[i]));
            return m;
        }
    }
}
