package org.dqwhisper.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dqwhisper.cli.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dqw transcribe --device cuda} end to end on the tiny-random-a fixture and OpenAI's jfk clip: the CLI's
 * loader uploads the model, and the whole decoding stack runs on it (language-token prompt, beam search with
 * forks and cache copies, word timestamps through the cross-attention scores; no temperature fallback, to stay
 * fast). The model is random, so only the run and its outputs are checked, not the text.
 */
@Tag("gpu")
class CudaTranscribeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void transcribesOnCudaWithBeamSearchAndWordTimestamps() throws IOException {
        assumeTrue(CudaRuntime.available(), CudaTestSupport.NO_GPU + ": " + CudaRuntime.status().detail());
        Path wav = Path.of("tests/data/audio/jfk_16k_mono_s16.wav");
        int code = Main.run("transcribe", "--model", "tests/data/tiny-random-a/openai", "--device", "cuda", "--language", "en",
                "--word-timestamps", "true", "--temperature-increment-on-fallback", "none", "--no-progress", "--verbose", "false", "-f", "json", "-o", tmp.toString(), wav.toString());
        assertEquals(0, code, "exit code");
        String json = Files.readString(tmp.resolve("jfk_16k_mono_s16.json"));
        assertTrue(json.contains("\"segments\"") && json.contains("\"words\""), json.length() > 400 ? json.substring(0, 400) : json);
    }

    @Test
    void int8RunsOnCuda() throws IOException {
        assumeTrue(CudaRuntime.available(), CudaTestSupport.NO_GPU + ": " + CudaRuntime.status().detail());
        Path wav = Path.of("tests/data/audio/jfk_16k_mono_s16.wav");
        int code = Main.run("transcribe", "--model", "tests/data/tiny-random-a/openai", "--device", "cuda", "--precision", "int8",
                "--language", "en", "--beam-size", "none", "--no-progress", "--verbose", "false", "-f", "txt", "-o", tmp.toString(),
                wav.toString());
        assertEquals(0, code, "exit code");
        assertTrue(Files.exists(tmp.resolve("jfk_16k_mono_s16.txt")));
    }

    @Test
    void autoPicksCudaWhenADeviceIsUsable() throws IOException {
        assumeTrue(CudaRuntime.available(), CudaTestSupport.NO_GPU + ": " + CudaRuntime.status().detail());
        Path wav = Path.of("tests/data/audio/jfk_16k_mono_s16.wav");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        int code;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            code = Main.run("transcribe", "--model", "tests/data/tiny-random-a/openai", "--device", "auto", "--language", "en",
                    "--beam-size", "none", "--no-progress", "--verbose", "false", "-f", "txt", "-o", tmp.toString(), wav.toString());
        } finally {
            System.setErr(saved);
        }
        String log = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code, "exit code; stderr: " + log);
        assertTrue(log.contains("device: cuda"), log);
        assertTrue(Files.exists(tmp.resolve("jfk_16k_mono_s16.txt")));
    }
}
