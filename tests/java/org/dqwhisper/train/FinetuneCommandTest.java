package org.dqwhisper.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dqwhisper.cli.Main;
import org.dqwhisper.train.data.Manifest;
import org.dqwhisper.train.data.ManifestFormatException;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dqw finetune} and the manifest reader on bad input: clear messages naming the file and line, no crash. */
class FinetuneCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void tinyModel() throws Exception {
        model = dir.resolve("model");
        try (WhisperModel m = WhisperInit.random(WhisperConfig.of(80, 16, 32, 2, 1, 51865, 16, 32, 2, 1), 1)) {
            TrainingCheckpoint.writeModel(model, m);
        }
        Files.write(dir.resolve("a.wav"), new byte[] {1, 2, 3}); // exists; never decoded by these tests
    }

    /** Runs the CLI; returns {exit code, stderr}. */
    static Object[] run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Object[] {code, err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(old);
        }
    }

    static Path manifest(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void manifestErrorsNameFileAndLine() throws Exception {
        Path bad = manifest("bad.jsonl", "{\"audio\": \"a.wav\", \"text\": \"hi\", \"language\": \"en\"}\n\n{\"audio\": \"missing.wav\", \"text\": \"x\"}\n");
        ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> Manifest.read(bad));
        assertTrue(e.getMessage().contains("bad.jsonl:3") && e.getMessage().contains("missing.wav"), e.getMessage());
        Path notJson = manifest("notjson.jsonl", "{\"audio\": \"a.wav\", \"text\": 5}\n");
        e = assertThrows(ManifestFormatException.class, () -> Manifest.read(notJson));
        assertTrue(e.getMessage().contains("notjson.jsonl:1") && e.getMessage().contains("\"text\" must be a string"), e.getMessage());
        Path garbage = manifest("garbage.jsonl", "not json at all\n");
        assertThrows(ManifestFormatException.class, () -> Manifest.read(garbage));
        Path empty = manifest("empty.jsonl", "\n\n");
        e = assertThrows(ManifestFormatException.class, () -> Manifest.read(empty));
        assertTrue(e.getMessage().contains("no utterances"), e.getMessage());
        var ok = Manifest.read(manifest("ok.jsonl", "{\"audio\": \"a.wav\", \"text\": \"hi\", \"language\": \"en\"}\n"));
        assertEquals(dir.resolve("a.wav").toAbsolutePath().normalize(), ok.entries().get(0).audio(), "audio paths are relative to the manifest");
    }

    @Test
    void commandReportsBadInputWithExitCodes() throws Exception {
        Path out = dir.resolve("out");
        Object[] r = run("finetune", "--model", model.toString(), "--out", out.toString());
        assertEquals(2, r[0], "missing --train is a usage error");
        assertTrue(((String) r[1]).contains("--train"), (String) r[1]);

        r = run("finetune", "--model", model.toString(), "--train", dir.resolve("nope.jsonl").toString(), "--out", out.toString());
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).contains("nope.jsonl"), (String) r[1]);

        Path noLanguage = manifest("nolang.jsonl", "{\"audio\": \"a.wav\", \"text\": \"hi\"}\n");
        r = run("finetune", "--model", model.toString(), "--train", noLanguage.toString(), "--out", out.toString());
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).contains("line 1") && ((String) r[1]).contains("language"), (String) r[1]);

        Path badLanguage = manifest("badlang.jsonl", "{\"audio\": \"a.wav\", \"text\": \"hi\", \"language\": \"xx-unknown\"}\n");
        r = run("finetune", "--model", model.toString(), "--train", badLanguage.toString(), "--out", out.toString());
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).contains("badlang.jsonl:1") && ((String) r[1]).contains("xx-unknown"), (String) r[1]);

        Path tooLong = manifest("long.jsonl", "{\"audio\": \"a.wav\", \"text\": \"" + "word ".repeat(40) + "\", \"language\": \"en\"}\n");
        r = run("finetune", "--model", model.toString(), "--train", tooLong.toString(), "--out", out.toString());
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).contains("line 1") && ((String) r[1]).contains("more than 16"), (String) r[1]);

        Path ok = manifest("ok2.jsonl", "{\"audio\": \"a.wav\", \"text\": \"hi\", \"language\": \"en\"}\n");
        r = run("finetune", "--model", model.toString(), "--train", ok.toString(), "--out", out.toString(), "--lr", "-1");
        assertEquals(2, r[0]);
        assertTrue(((String) r[1]).contains("learning rate"), (String) r[1]);
        r = run("finetune", "--model", model.toString(), "--train", ok.toString(), "--out", out.toString(), "--decay", "exp");
        assertEquals(2, r[0]);
        assertTrue(((String) r[1]).contains("unknown decay"), (String) r[1]);
        // the audio file is not audio: the error names it and the manifest line
        r = run("finetune", "--model", model.toString(), "--train", ok.toString(), "--out", out.toString(), "--steps", "1", "--batch-size", "1");
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).contains("a.wav") && ((String) r[1]).contains("line 1"), (String) r[1]);
    }
}
