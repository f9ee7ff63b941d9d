package org.dqwhisper.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Argument checking of {@code dqw distill} (the training itself is DistillerTest). */
class DistillCommandTest {
    static Object[] run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Object[] {Main.run(args), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void badArgumentsAreRejectedWithAMessage() {
        String t = "tests/data/tiny-random-a/hf";
        Object[] r = run("distill", "--teacher", t, "--student-layers", "1", "--train", "x.jsonl", "--out", "target/d", "--match", "sideways");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("sideways"), (String) r[1]);
        r = run("distill", "--teacher", t, "--train", "x.jsonl", "--out", "target/d");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("--student"), (String) r[1]);
        r = run("distill", "--teacher", t, "--student-layers", "1", "--train", "x.jsonl", "--out", "target/d", "--quant", "w8g64");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("per-group"), (String) r[1]);
        r = run("distill", "--teacher", t, "--student-layers", "1", "--train", "x.jsonl", "--out", "target/d", "--match-encoder", "dynamic");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("needs --train-encoder"), (String) r[1]);
        r = run("distill", "--teacher", t, "--student-layers", "1", "--train", "x.jsonl", "--out", "target/d", "--train-encoder",
                "--match-encoder", "logits");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("'logits' has no meaning"), (String) r[1]);
        r = run("distill", "--teacher", t, "--student-layers", "1", "--train", "x.jsonl", "--out", "target/d", "--hidden-source", "unmasked");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("unmasked-recompute"), (String) r[1]);
    }

    /** End to end on noise clips: a 2-layer random teacher, a 1-layer student from it, w8 QAD, 4 updates. */
    @Test
    void distillsAndExportsOnAManifest(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path teacher = dir.resolve("teacher");
        try (org.dqwhisper.whisper.WhisperModel m = org.dqwhisper.train.WhisperInit.random(
                org.dqwhisper.whisper.WhisperConfig.of(80, 16, 32, 2, 1, 51865, 16, 32, 2, 2), 1)) {
            org.dqwhisper.train.TrainingCheckpoint.writeModel(teacher, m);
        }
        java.util.Random r = new java.util.Random(3);
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            float[] pcm = new float[8000];
            for (int j = 0; j < pcm.length; j++) pcm[j] = (float) (0.1 * r.nextGaussian());
            org.dqwhisper.audio.WavWriter.writePcm16(dir.resolve("u" + i + ".wav"), pcm, 16000);
            jsonl.append("{\"audio\": \"u").append(i).append(".wav\", \"text\": \"hello there\", \"language\": \"en\"}\n");
        }
        java.nio.file.Files.writeString(dir.resolve("m.jsonl"), jsonl.toString());
        java.nio.file.Path out = dir.resolve("out");
        Object[] res = run("distill", "--teacher", teacher.toString(), "--student-layers", "1", "--train", dir.resolve("m.jsonl").toString(),
                "--dev", dir.resolve("m.jsonl").toString(), "--out", out.toString(), "--quant", "w8", "--steps", "4", "--batch-size", "2",
                "--log-every", "2", "--lr", "1e-3");
        assertEquals(0, res[0], (String) res[1]);
        assertTrue(((String) res[1]).contains("distill 4/4"), (String) res[1]);
        assertTrue(java.nio.file.Files.isRegularFile(out.resolve("matching.csv")));
        assertTrue(java.nio.file.Files.isRegularFile(out.resolve("matching.png")));
        try (org.dqwhisper.whisper.WhisperModel q = org.dqwhisper.whisper.WhisperModel.load(out.resolve("model-quantized"),
                org.dqwhisper.nn.Precision.FP32); org.dqwhisper.whisper.WhisperModel f = org.dqwhisper.whisper.WhisperModel.load(
                out.resolve("model"), org.dqwhisper.nn.Precision.FP32)) {
            assertEquals(1, q.config().nTextLayer());
            assertTrue(q.blockLinears().get("decoder.blocks.0.mlp.2").int8Weights() != null);
            assertEquals(1, f.config().nTextLayer());
        }
    }
}
