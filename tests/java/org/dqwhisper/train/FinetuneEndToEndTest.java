package org.dqwhisper.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.SafetensorsFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on real speech: four utterances synthesised with espeak-ng (skipped with a message
 * when it is not installed), a tiny randomly initialised Whisper-shaped model with the real
 * multilingual vocabulary (51865 tokens, so the real tokenizer and prompts apply; d = 64 keeps the
 * tied-logits GEMM cheap), n_audio_ctx 128 (2.56 s) and n_text_ctx 32. It must overfit the four
 * utterances until greedy decoding reproduces each transcript exactly, and a run stopped half-way
 * (in-process, or by killing a child process) and resumed must end with bit-identical weights.
 */
class FinetuneEndToEndTest {
    static final String[] PHRASES = {"hello world", "the cat sat on the mat", "good morning everyone", "open the window please"};
    static final WhisperConfig CONFIG = WhisperConfig.of(80, 128, 64, 2, 1, 51865, 32, 64, 2, 1);

    @TempDir
    static Path dir;
    static Path manifest;
    static Path initModel;

    @BeforeAll
    static void synthesise() throws Exception {
        Assumptions.assumeTrue(espeakAvailable(), "espeak-ng is not installed (apt-get install espeak-ng): skipping the end-to-end training test");
        StringBuilder jsonl = new StringBuilder();
        Files.createDirectories(dir.resolve("clips"));
        for (int i = 0; i < PHRASES.length; i++) {
            Path wav = dir.resolve("clips/u" + i + ".wav");
            Process p = new ProcessBuilder("espeak-ng", "-v", "en", "-w", wav.toString(), PHRASES[i]).redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "espeak-ng failed for '" + PHRASES[i] + "'");
            jsonl.append("{\"audio\": \"clips/u").append(i).append(".wav\", \"text\": \"").append(PHRASES[i]).append("\", \"language\": \"en\"}\n");
        }
        manifest = dir.resolve("train.jsonl");
        Files.writeString(manifest, jsonl.toString());
        initModel = dir.resolve("init");
        try (WhisperModel m = WhisperInit.random(CONFIG, 2024)) {
            TrainingCheckpoint.writeModel(initModel, m);
        }
    }

    static boolean espeakAvailable() {
        try {
            Process p = new ProcessBuilder("espeak-ng", "--version").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** lr 2e-3 constant after 10 warm-up updates, clip 1, batch 4 (the whole set), seed 1. */
    static FinetuneRun.Settings settings(Path out, long steps, Path dev, int evalEvery, boolean resume, long stopAfter, int saveEvery) {
        TrainerOptions o = new TrainerOptions(steps, 2e-3, 10, LearningRateSchedule.Decay.CONSTANT, 0.0, 1.0, 1, 0.0, 1, 0.9, 0.999, 1e-8);
        return new FinetuneRun.Settings(initModel, manifest, dev, out, o, 4, evalEvery, saveEvery, 20, false, resume, 2, stopAfter, false, null);
    }

    static Map<String, float[]> tensors(Path safetensors) throws IOException {
        Map<String, float[]> out = new java.util.TreeMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(safetensors)) {
            for (String n : f.names()) {
                try (Tensor t = f.readF32(n, n)) {
                    out.put(n, t.toFloatArray());
                }
            }
        }
        return out;
    }

    static void assertSameBits(Path a, Path b) throws IOException {
        Map<String, float[]> x = tensors(a), y = tensors(b);
        assertEquals(x.keySet(), y.keySet(), "tensor names");
        for (String k : x.keySet()) {
            float[] u = x.get(k), v = y.get(k);
            for (int i = 0; i < u.length; i++) {
                assertEquals(Float.floatToRawIntBits(u[i]), Float.floatToRawIntBits(v[i]), b + ": " + k + "[" + i + "] " + u[i] + " vs " + v[i]);
            }
        }
    }

    /** The uninterrupted reference run of the resume tests (no dev set), computed once. */
    static synchronized Path uninterrupted(long steps) throws IOException {
        Path out = dir.resolve("uninterrupted-" + steps);
        if (!Files.isDirectory(out.resolve("model"))) FinetuneRun.run(settings(out, steps, null, 0, false, 0, 0), quiet());
        return out;
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    @Test
    void stoppedAndResumedInProcessEndsBitIdentical() throws IOException {
        Path ref = uninterrupted(12);
        Path out = dir.resolve("stopped");
        FinetuneRun.Result first = FinetuneRun.run(settings(out, 12, null, 0, true, 5, 0), quiet());
        assertNull(first.finalModel(), "stopped early");
        assertEquals(5, first.steps());
        assertTrue(Files.isDirectory(out.resolve("checkpoint-00000005")));
        FinetuneRun.Result second = FinetuneRun.run(settings(out, 12, null, 0, true, 0, 0), quiet());
        assertEquals(12, second.steps());
        assertSameBits(ref.resolve("model/model.safetensors"), out.resolve("model/model.safetensors"));
        assertSameBits(ref.resolve("checkpoint-00000012/trainer_state.safetensors"), out.resolve("checkpoint-00000012/trainer_state.safetensors"));
        assertEquals(TrainingCheckpoint.readState(ref.resolve("checkpoint-00000012")),
                TrainingCheckpoint.readState(out.resolve("checkpoint-00000012")), "step, RNG state, data position, options");
        // resuming with other settings is refused rather than silently diverging
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FinetuneRun.run(settings(out, 13, null, 0, true, 0, 0), quiet()));
        assertTrue(e.getMessage().contains("same settings"), e.getMessage());
    }

    @Test
    void killedChildProcessResumesBitIdentical() throws Exception {
        long steps = 60;
        Path out = dir.resolve("killed");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                "org.dqwhisper.cli.Main", "finetune", "--model", initModel.toString(), "--train", manifest.toString(), "--out", out.toString(),
                "--steps", String.valueOf(steps), "--batch-size", "4", "--lr", "2e-3", "--warmup", "10", "--decay", "constant",
                "--weight-decay", "0", "--clip", "1", "--seed", "1", "--save-every", "3", "--log-every", "1");
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long killedAt = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (child.isAlive() && System.nanoTime() < deadline) {
            Path latest = TrainingCheckpoint.latest(out).orElse(null);
            if (latest != null) {
                child.destroyForcibly(); // SIGKILL: no shutdown hooks, no chance to finish a write
                child.waitFor(30, TimeUnit.SECONDS);
                killedAt = TrainingCheckpoint.readState(latest).step();
                break;
            }
            Thread.sleep(20);
        }
        String log = Files.readString(dir.resolve("child.log"));
        assertTrue(killedAt > 0, "the child never wrote a checkpoint before ending: " + log);
        assertTrue(killedAt < steps && !Files.exists(out.resolve("model")), "the child was killed mid-run (at update " + killedAt + "): " + log);
        System.err.println("killed the child process after its checkpoint of update " + killedAt + " of " + steps);
        // the same run in this process, resumed from whatever the killed child left
        TrainerOptions o = new TrainerOptions(steps, 2e-3, 10, LearningRateSchedule.Decay.CONSTANT, 0.0, 1.0, 1, 0.0, 1, 0.9, 0.999, 1e-8);
        FinetuneRun.run(new FinetuneRun.Settings(initModel, manifest, null, out, o, 4, 0, 3, 10, false, true, 2, 0, false, null), quiet());
        assertSameBits(uninterruptedCli(steps).resolve("model/model.safetensors"), out.resolve("model/model.safetensors"));
    }

    /** The CLI's settings of the kill test, run uninterrupted in this process. */
    static Path uninterruptedCli(long steps) throws IOException {
        Path out = dir.resolve("uninterrupted-cli");
        TrainerOptions o = new TrainerOptions(steps, 2e-3, 10, LearningRateSchedule.Decay.CONSTANT, 0.0, 1.0, 1, 0.0, 1, 0.9, 0.999, 1e-8);
        FinetuneRun.run(new FinetuneRun.Settings(initModel, manifest, null, out, o, 4, 0, 0, 10, false, false, 2, 0, false, null), quiet());
        return out;
    }

    @Test
    void overfitsFourUtterancesUntilGreedyDecodingReproducesThem() throws IOException {
        long steps = 160;
        Path out = dir.resolve("overfit");
        long t0 = System.nanoTime();
        FinetuneRun.Result r = FinetuneRun.run(settings(out, steps, manifest, 40, false, 0, 0), System.err);
        System.err.printf("end-to-end overfit: %d updates in %.1f s, final loss %.4f%n", steps, (System.nanoTime() - t0) / 1e9, r.lastLoss());
        List<String> hyps = r.dev().hypotheses();
        for (int i = 0; i < PHRASES.length; i++) assertEquals(" " + PHRASES[i], hyps.get(i), "utterance " + i);
        assertEquals(0.0, r.dev().wer());
        assertEquals(0.0, r.dev().cer());
        assertTrue(Files.size(out.resolve("curves.png")) > 1000);
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("step,loss,learning_rate,grad_norm,dev_wer,dev_cer", csv.get(0));
        assertEquals(steps + 1, csv.size());
        assertTrue(csv.get(40).endsWith(",") == false && csv.get(40).startsWith("40,"), "row of update 40 carries a dev evaluation: " + csv.get(40));
        assertTrue(Files.isRegularFile(out.resolve("model/model.safetensors")));
    }
}
