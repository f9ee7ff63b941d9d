package org.dqwhisper.demo;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.dqwhisper.corpus.CorpusConfig;
import org.dqwhisper.corpus.EspeakNg;
import org.dqwhisper.corpus.EspeakUnavailableException;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.train.TrainingCheckpoint;
import org.dqwhisper.train.WhisperInit;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.QuantizedCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's mechanics at toy scale (minutes of CPU in CI, not its accuracy): a tiny corpus in two languages (one
 * non-Latin), a random 1+2-layer teacher and a 1+1-layer student with the real multilingual vocabulary and a 1-s
 * window, 3 updates per system. Every system must be trained, exported, loaded and scored, and every output written.
 */
class DemoRunTest {
    static { System.setProperty("java.awt.headless", "true"); }

    @TempDir
    Path tmp;

    private void requireEspeak() {
        try {
            EspeakNg.locate(tmp.resolve("probe"));
        } catch (EspeakUnavailableException e) {
            assumeTrue(false, "espeak-ng is not installed (apt-get install espeak-ng); skipping");
        }
    }

    /** A random 1+2-layer teacher and 1+1-layer student (real vocabulary, 1-s window) under tmp. */
    private Path[] toyPair() throws Exception {
        Path teacher = tmp.resolve("teacher"), student = tmp.resolve("student");
        try (WhisperModel t = WhisperInit.random(WhisperConfig.of(80, 50, 64, 2, 1, 51865, 64, 64, 2, 2), 1);
                WhisperModel s = WhisperInit.random(WhisperConfig.of(80, 50, 32, 1, 1, 51865, 64, 32, 1, 1), 2)) {
            TrainingCheckpoint.writeModel(teacher, t);
            TrainingCheckpoint.writeModel(student, s);
        }
        return new Path[] {teacher, student};
    }

    @Test
    void reducedDemoProducesEverySystemExportAndReport() throws Exception {
        requireEspeak();
        Path[] pair = toyPair();
        Path teacher = pair[0], student = pair[1];
        Path out = tmp.resolve("demo");
        CorpusConfig corpus = new CorpusConfig(7, 10, List.of("en", "zh"), 0.1, 0.2);
        DemoRun.Settings settings = new DemoRun.Settings(out, null, corpus, teacher, student, 1, 3, 4, 1e-3, 1, 0.9, 0, 0, 2, 2, true);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DemoResults r = DemoRun.run(settings, new PrintStream(log, true, StandardCharsets.UTF_8));
        String text = log.toString(StandardCharsets.UTF_8);

        List<String> names = DemoSystem.standard().stream().map(DemoSystem::name).toList();
        assertEquals(names, r.rows().stream().map(row -> row.system().name()).toList());
        for (DemoResults.Row row : r.rows()) {
            assertTrue(row.cer() >= 0 && Double.isFinite(row.cer()), row.system().name() + " CER " + row.cer());
            assertEquals(List.of("en", "zh"), List.copyOf(row.cerByLanguage().keySet()));
            assertTrue(row.paperMiB() > 0, row.system().name());
        }
        // sizes follow the paper's convention: 8-bit decoder weights beat 16-bit, 4-bit beat 8-bit
        assertTrue(r.row("dynamic W4 QAD").paperMiB() < r.row("dynamic W8 QAD").paperMiB());
        assertTrue(r.row("dynamic W8 QAD").paperMiB() < r.row("KD dynamic").paperMiB());
        assertTrue(r.compression("dynamic W8 QAD") > 1);
        // each trained student has a loss curve of 3 updates; the integer ones are real integer exports that load
        for (DemoRun.SystemRun run : r.runs()) {
            if (run.system().kind() == DemoSystem.Kind.TRAINED) assertEquals(3, run.curve().size(), run.system().name());
            if (run.system().integer()) {
                assertTrue(QuantizedCheckpoint.isQuantized(run.model()), run.model() + " is an integer export");
                try (WhisperModel q = WhisperModel.load(run.model(), Precision.FP32)) {
                    assertTrue(q.blockLinears().values().stream().anyMatch(l -> l.hasIntegerWeights()));
                }
            }
        }
        assertEquals(6, r.claims().size());
        assertNotNull(r.speed());
        assertEquals(4, r.speed().msPerUtterance().length);
        for (double ms : r.speed().msPerUtterance()) assertTrue(ms > 0, "timed " + ms);

        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("| dynamic W4 PTQ |"), report);
        assertTrue(report.contains("did NOT hold") || report.contains("held:"), report);
        assertTrue(report.contains("Teacher: `" + teacher + "`; student start point: `" + student + "` (not the bundled pair)."),
                "the report names the models it was given: " + report);
        for (String png : List.of("cer-per-language.png", "size-vs-cer.png", "training-loss.png", "training-ce.png", "training-terms.png",
                "paired-differences.png")) {
            assertTrue(report.contains(png), png + " linked from report.md");
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(img, png + " decodes");
            assertTrue(img.getWidth() >= 800 && img.getHeight() >= 400, png);
        }
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        assertEquals(names.size(), json.getAsJsonArray("runs").size());
        // the loss terms at the end of training: KL only where the teacher is used, L_hid only where layers are matched
        assertEquals(0.0, endTerm(json, "CE only", "kl"));
        assertTrue(endTerm(json, "KD logits", "kl") > 0);
        assertEquals(0.0, endTerm(json, "KD logits", "hidden"));
        assertTrue(endTerm(json, "KD static", "hidden") > 0);
        assertTrue(endTerm(json, "KD dynamic", "hidden") > 0);
        assertEquals(0.0, endTerm(json, "KD dynamic", "encoder_hidden"), "no encoder matching by default");
        assertTrue(report.contains("KD dynamic (seed 1) has KL"), report);
        assertEquals(r.table(), Files.readString(out.resolve("results.md")));
        assertTrue(text.contains("encoder outputs of"), text);
        try (WhisperModel s0 = WhisperModel.load(student, Precision.FP32);
                WhisperModel ce = WhisperModel.load(DemoRun.exportOf(r.runs(), "CE only", 1), Precision.FP32)) {
            assertArrayEquals(s0.stateTensors().get("encoder.blocks.0.mlp.0.weight").toFloatArray(),
                    ce.stateTensors().get("encoder.blocks.0.mlp.0.weight").toFloatArray(), "the default recipe keeps the encoder frozen");
        }
        assertFalse(json.get("train_encoder").getAsBoolean());
        // paired comparisons: every test utterance scored per run, the same test set for every system, an interval each
        int utterances = json.getAsJsonArray("test_utterances").size();
        assertTrue(utterances > 0);
        for (var e : json.getAsJsonArray("runs")) {
            assertEquals(utterances, e.getAsJsonObject().getAsJsonArray("utterance_char_errors").size(), e.toString());
        }
        assertEquals(6, json.getAsJsonArray("paired_comparisons").size());
        for (PairedComparison.Result c : r.comparisons()) {
            assertNotEquals(PairedComparison.Verdict.NO_DATA, c.verdict(), c.claim());
            assertTrue(c.low() <= c.meanDiff() + 1e-12 && c.meanDiff() <= c.high() + 1e-12, c.claim() + ": the measured difference lies in its bootstrap interval");
        }
        assertTrue(report.contains("## Are the differences larger than the noise?"), report);
        assertTrue(report.contains("| dynamic < static | KD dynamic − KD static |"), report);
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary files left");
        }
    }

    /**
     * The authors' recipe freezes the student encoder (the default above: every FP student's encoder equals the start
     * point's); {@code trainEncoder} fine-tunes it in every system, and {@code matchEncoder} adds the encoder term to
     * static and dynamic matching. Checked on the written models: encoder tensors moved, the report and JSON say so.
     */
    @Test
    void trainedEncoderSystemsChangeTheEncoderAndSayAsMuch() throws Exception {
        requireEspeak();
        Path[] pair = toyPair();
        Path out = tmp.resolve("demo-encoder");
        CorpusConfig corpus = new CorpusConfig(7, 10, List.of("en", "zh"), 0.1, 0.2);
        assertThrows(IllegalArgumentException.class, () -> new DemoRun.Settings(out, null, corpus, pair[0], pair[1], 1, 2, 4, 1e-3, 1, 0.9,
                0, 0, 0, 2, false, 1.0, false, true), "encoder matching without a trained encoder is refused");
        DemoRun.Settings settings = new DemoRun.Settings(out, null, corpus, pair[0], pair[1], 1, 2, 4, 1e-3, 1, 0.9, 0, 0, 0, 2, false, 1.0,
                true, true);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DemoResults r = DemoRun.run(settings, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("student encoders are trained too, static and dynamic systems also match"));
        assertFalse(log.toString(StandardCharsets.UTF_8).contains("encoder outputs of"), "no cached encoder outputs");
        float[] start;
        try (WhisperModel s = WhisperModel.load(pair[1], Precision.FP32)) {
            start = s.stateTensors().get("encoder.blocks.0.mlp.0.weight").toFloatArray();
        }
        for (String name : List.of("CE only", "KD logits", "KD static", "KD dynamic")) {
            try (WhisperModel m = WhisperModel.load(DemoRun.exportOf(r.runs(), name, 1), Precision.FP32)) {
                float[] now = m.stateTensors().get("encoder.blocks.0.mlp.0.weight").toFloatArray();
                assertFalse(java.util.Arrays.equals(start, now), name + ": the encoder was trained");
            }
        }
        for (DemoResults.Row row : r.rows()) assertTrue(Double.isFinite(row.cer()), row.system().name());
        assertTrue(Files.readString(out.resolve("report.md")).contains("decoder and encoder (not the authors' recipe"));
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        assertTrue(json.get("train_encoder").getAsBoolean());
        assertTrue(json.get("match_encoder").getAsBoolean());
        assertTrue(endTerm(json, "KD dynamic", "encoder_hidden") > 0);
        assertTrue(endTerm(json, "KD static", "encoder_hidden") > 0);
        assertEquals(0.0, endTerm(json, "KD logits", "encoder_hidden"), "logits-only has no layer matching");
        assertTrue(Files.readString(out.resolve("report.md")).contains("and L_hid,enc"));
    }

    /** {@code loss_terms_end.<term>} of seed 1 of {@code system} in results.json. */
    private static double endTerm(JsonObject json, String system, String term) {
        for (var e : json.getAsJsonArray("runs")) {
            JsonObject r = e.getAsJsonObject();
            if (r.get("system").getAsString().equals(system) && r.get("seed").getAsInt() == 1) {
                return r.getAsJsonObject("loss_terms_end").get(term).getAsDouble();
            }
        }
        throw new AssertionError("no run of " + system);
    }
}
