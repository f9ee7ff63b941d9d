package org.dqwhisper.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dqwhisper.audio.WavWriter;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.train.TrainingCheckpoint;
import org.dqwhisper.train.WhisperInit;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.dqwhisper.quant.QuantConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dqw distill} over a real manifest of WAV files at small scale: a random 2-layer teacher (the real
 * multilingual vocabulary, so the real prompts apply; 0.32-s input), a 1-layer student copied from it, dynamic
 * matching with the adapter, 8-bit fake quantization and SpecAugment on (so the RNG state matters). A run stopped
 * after 3 of 7 steps and resumed from its checkpoint must end with the bits of an uninterrupted run: student
 * weights, adapter and AdamW moments, matching log and loss curve.
 */
class DistillRunTest {
    static final WhisperConfig TEACHER = WhisperConfig.of(80, 16, 32, 2, 1, 51865, 16, 32, 2, 2);
    static final String[] TEXTS = {"one two", "three", "four five", "six", "seven eight", "nine"};

    @TempDir
    static Path dir;
    static Path teacher;
    static Path manifest;

    @BeforeAll
    static void data() throws IOException {
        teacher = dir.resolve("teacher");
        try (WhisperModel m = WhisperInit.random(TEACHER, 3)) {
            TrainingCheckpoint.writeModel(teacher, m);
        }
        StringBuilder jsonl = new StringBuilder();
        Random rng = new Random(5);
        for (int i = 0; i < TEXTS.length; i++) {
            float[] x = new float[2400 + 400 * i]; // 0.15..0.35 s: some longer than the 0.32-s model input
            for (int k = 0; k < x.length; k++) x[k] = (float) (0.2 * rng.nextGaussian() * Math.sin(k * (0.01 + 0.004 * i)));
            WavWriter.writePcm16(dir.resolve("u" + i + ".wav"), x, 16000);
            jsonl.append("{\"audio\": \"u").append(i).append(".wav\", \"text\": \"").append(TEXTS[i]).append("\", \"language\": \"en\"}\n");
        }
        manifest = dir.resolve("train.jsonl");
        Files.writeString(manifest, jsonl.toString());
    }

    static DistillRun.Settings settings(Path out, long steps, boolean resume, long stopAfter, int saveEvery) {
        return settings(out, steps, resume, stopAfter, saveEvery, Distiller.Options.paper()); // dynamic, alpha 0.9, T 1, w8 STE
    }

    static DistillRun.Settings settings(Path out, long steps, boolean resume, long stopAfter, int saveEvery, Distiller.Options o) {
        return new DistillRun.Settings(teacher, null, 1, manifest, manifest, out, o, steps, 2, 3e-3, 2, 1, saveEvery, resume, 2,
                stopAfter, true, dir.resolve("features"));
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    @Test
    void stoppedAndResumedEndsBitIdentical() throws IOException {
        Path ref = dir.resolve("uninterrupted");
        DistillRun.Result full = DistillRun.run(settings(ref, 7, false, 0, 0), quiet());
        assertTrue(full.finished());
        assertTrue(Double.isFinite(full.devCrossEntropy()), "dev cross-entropy " + full.devCrossEntropy());

        Path out = dir.resolve("stopped");
        DistillRun.Result first = DistillRun.run(settings(out, 7, true, 3, 2), quiet());
        assertFalse(first.finished());
        assertEquals(3, first.steps());
        assertTrue(Files.isDirectory(out.resolve("checkpoint-00000002")), "periodic checkpoint");
        assertTrue(Files.isDirectory(out.resolve("checkpoint-00000003")), "checkpoint when stopping");
        assertFalse(Files.exists(out.resolve("model")));
        DistillRun.Result second = DistillRun.run(settings(out, 7, true, 0, 2), quiet());
        assertTrue(second.finished());
        assertEquals(7, second.steps());

        assertEquals(full.lastLoss(), second.lastLoss());
        assertEquals(full.devCrossEntropy(), second.devCrossEntropy());
        assertSameBits(ref.resolve("model/model.safetensors"), out.resolve("model/model.safetensors"));
        assertSameBits(ref.resolve("checkpoint-00000007/" + TrainingCheckpoint.STATE_TENSORS),
                out.resolve("checkpoint-00000007/" + TrainingCheckpoint.STATE_TENSORS));
        assertEquals(TrainingCheckpoint.readState(ref.resolve("checkpoint-00000007")),
                TrainingCheckpoint.readState(out.resolve("checkpoint-00000007")), "step, RNG state, data position, settings");
        assertEquals(Files.readString(ref.resolve("matching.csv")), Files.readString(out.resolve("matching.csv")));
        List<String> curve = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(Files.readAllLines(ref.resolve("metrics.csv")), curve, "loss curve");
        assertEquals(8, curve.size(), "header and 7 steps");
        assertTrue(Files.size(out.resolve("curves.png")) > 1000);
        assertTrue(Files.isDirectory(out.resolve("model-quantized")));

        // the checkpoint holds the adapter and the moments of the adapter and the student decoder
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("checkpoint-00000007/" + TrainingCheckpoint.STATE_TENSORS))) {
            assertTrue(f.names().contains("adapter.weight") && f.names().contains("adapter.bias"), f.names().toString());
            assertTrue(f.names().contains("exp_avg.adapter.weight") && f.names().contains("exp_avg_sq.decoder.blocks.0.mlp.0.weight"),
                    f.names().toString());
            assertFalse(f.names().stream().anyMatch(n -> n.startsWith("exp_avg.encoder.")), "the student encoder is frozen");
        }
        // resuming with other settings is refused rather than silently diverging
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DistillRun.run(settings(out, 8, true, 0, 2), quiet()));
        assertTrue(e.getMessage().contains("same settings"), e.getMessage());
    }

    /**
     * LSQ: the learned step sizes (ln scale) are trained parameters with their own AdamW moments; a stopped and
     * resumed run must restore them too and end with the bits of an uninterrupted one, integer export included.
     */
    @Test
    void learnedStepSizesResumeBitIdentical() throws IOException {
        Distiller.Options lsq = Distiller.Options.paper().withQuant(QuantConfig.parse("w4g64:lsq"));
        Path ref = dir.resolve("lsq-uninterrupted");
        DistillRun.Result full = DistillRun.run(settings(ref, 5, false, 0, 0, lsq), quiet());
        assertTrue(full.finished());
        Path out = dir.resolve("lsq-stopped");
        assertFalse(DistillRun.run(settings(out, 5, true, 2, 2, lsq), quiet()).finished());
        DistillRun.Result second = DistillRun.run(settings(out, 5, true, 0, 2, lsq), quiet());
        assertTrue(second.finished());
        assertEquals(full.lastLoss(), second.lastLoss());
        String state = "checkpoint-00000005/" + TrainingCheckpoint.STATE_TENSORS;
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve(state))) {
            assertTrue(f.names().stream().anyMatch(n -> n.contains("lsq_log_scale")), "the learned scales are saved: " + f.names());
            assertTrue(f.names().stream().anyMatch(n -> n.startsWith("exp_avg.") && n.contains("lsq_log_scale")),
                    "and their AdamW moments: " + f.names());
        }
        assertSameBits(ref.resolve(state), out.resolve(state));
        assertSameBits(ref.resolve("model/model.safetensors"), out.resolve("model/model.safetensors"));
        try (var files = Files.list(ref.resolve("model-quantized"))) {
            for (Path p : files.toList()) {
                Path q = out.resolve("model-quantized").resolve(p.getFileName());
                if (p.toString().endsWith(".safetensors")) assertSameBits(p, q);
                else assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(q), p.getFileName().toString());
            }
        }
    }

    /**
     * {@code --train-encoder --match-encoder dynamic --hidden-source unmasked-recompute --quant w8}: a 3-encoder-layer teacher, a
     * narrower student checkpoint with 2 encoder layers (both adapters 128 → 64). The loss is finite, the encoder mapping
     * is logged every step (CSV and plot), the checkpoint holds the encoder adapter and its moments and the encoder's
     * moments, and a stopped and resumed run ends bit-identical; resuming with the other hidden source is refused.
     */
    @Test
    void encoderMatchingWithUnmaskedRecomputeResumesBitIdentical() throws IOException {
        Path bigTeacher = dir.resolve("teacher-3enc"), student = dir.resolve("student-2enc");
        try (WhisperModel t = WhisperInit.random(WhisperConfig.of(80, 16, 32, 2, 3, 51865, 16, 32, 2, 2), 7);
                WhisperModel s = WhisperInit.random(WhisperConfig.of(80, 16, 16, 2, 2, 51865, 16, 16, 2, 1), 8)) {
            TrainingCheckpoint.writeModel(bigTeacher, t);
            TrainingCheckpoint.writeModel(student, s);
        }
        Distiller.Options o = Distiller.Options.paper().withEncoderMatch(DynamicLayerMatcher.Mode.DYNAMIC) // w8 QAD of the decoder too
                .withHiddenSource(HiddenSource.UNMASKED_RECOMPUTE);
        assertTrue(o.trainEncoder());
        Path ref = dir.resolve("enc-uninterrupted");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DistillRun.Result full = DistillRun.run(encoderSettings(bigTeacher, student, ref, o, false, 0), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(full.finished() && Double.isFinite(full.lastLoss()), "loss " + full.lastLoss());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("enc hid"), "progress names the encoder term");
        MatchingLog enc = MatchingLog.readCsv(ref.resolve("matching-encoder.csv"), 2, 3);
        assertEquals(5, enc.steps(), "one encoder mapping per step");
        for (MatchingLog.Entry e : enc.entries()) assertTrue(e.mapping()[0] <= e.mapping()[1], "dynamic matching is monotone");
        assertTrue(Files.size(ref.resolve("matching-encoder.png")) > 1000);

        Path out = dir.resolve("enc-stopped");
        assertFalse(DistillRun.run(encoderSettings(bigTeacher, student, out, o, true, 2), quiet()).finished());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistillRun.run(encoderSettings(bigTeacher, student, out, o.withHiddenSource(HiddenSource.MASKED), true, 0), quiet()), "other hidden source");
        assertTrue(e.getMessage().contains("hidden_source"), e.getMessage());
        DistillRun.Result second = DistillRun.run(encoderSettings(bigTeacher, student, out, o, true, 0), quiet());
        assertTrue(second.finished());
        assertEquals(full.lastLoss(), second.lastLoss());
        assertSameBits(ref.resolve("model/model.safetensors"), out.resolve("model/model.safetensors"));
        String state = "checkpoint-00000005/" + TrainingCheckpoint.STATE_TENSORS;
        assertSameBits(ref.resolve(state), out.resolve(state));
        assertEquals(Files.readString(ref.resolve("matching-encoder.csv")), Files.readString(out.resolve("matching-encoder.csv")));
        assertTrue(Files.isDirectory(out.resolve("model-quantized")), "the QAD student's integer export");
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve(state))) {
            assertTrue(f.names().contains("encoder_adapter.weight") && f.names().contains("exp_avg.encoder_adapter.weight"), f.names().toString());
            assertTrue(f.names().contains("exp_avg.encoder.blocks.0.mlp.0.weight"), "the student encoder is trained");
        }
    }

    /** 5 steps of batch 2, warm-up 1, checkpoints every 2 steps, SpecAugment on. */
    static DistillRun.Settings encoderSettings(Path teacher, Path student, Path out, Distiller.Options o, boolean resume, long stopAfter) {
        return new DistillRun.Settings(teacher, student, 0, manifest, manifest, out, o, 5, 2, 3e-3, 1, 1, 2, resume, 2, stopAfter, true,
                dir.resolve("features"));
    }

    static void assertSameBits(Path a, Path b) throws IOException {
        Map<String, float[]> x = tensors(a), y = tensors(b);
        assertEquals(x.keySet(), y.keySet(), "tensor names");
        for (String k : x.keySet()) {
            float[] u = x.get(k), v = y.get(k);
            assertEquals(u.length, v.length, k);
            for (int i = 0; i < u.length; i++) {
                assertEquals(Float.floatToRawIntBits(u[i]), Float.floatToRawIntBits(v[i]), b + ": " + k + "[" + i + "] " + u[i] + " vs " + v[i]);
            }
        }
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
}
