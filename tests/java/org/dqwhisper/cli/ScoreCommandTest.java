package org.dqwhisper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dqw score} end to end through {@link Main#run}. */
class ScoreCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private Run score(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            String[] full = new String[args.length + 1];
            full[0] = "score";
            System.arraycopy(args, 0, full, 1, args.length);
            int code = Main.run(full);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path file(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static JsonObject json(Run r) {
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out().trim()).getAsJsonObject();
    }

    @Test
    void plainTextWithBasicNormalization() throws IOException {
        Path ref = file("ref.txt", "Hello, world!\nThe cat sat.\n");
        Path hyp = file("hyp.txt", "hello world\nthe cat sit\n");
        Run r = score("--ref", ref.toString(), "--hyp", hyp.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("WER 20.00% (1 errors / 5 reference words: S=1 D=0 I=0, H=4; 2 utterances; normalize=basic)",
                r.out().trim());
        JsonObject j = json(score("--ref", ref.toString(), "--hyp", hyp.toString(), "--json"));
        assertEquals("wer", j.get("metric").getAsString());
        assertEquals(0.2, j.get("rate").getAsDouble(), 1e-15);
        assertEquals(1, j.get("substitutions").getAsInt());
        assertEquals(5, j.get("reference_length").getAsInt());
        assertEquals(2, j.get("utterances").getAsInt());
    }

    @Test
    void withoutNormalizationCaseAndPunctuationCount() throws IOException {
        Path ref = file("ref.txt", "Hello, world!\nThe cat sat.\n");
        Path hyp = file("hyp.txt", "hello world\nthe cat sit\n");
        JsonObject j = json(score("--ref", ref.toString(), "--hyp", hyp.toString(), "--normalize", "none", "--json"));
        // Hello,/hello world!/world The/the sat./sit: 4 substitutions of 5 words
        assertEquals(4, j.get("errors").getAsInt());
        assertEquals("none", j.get("normalize").getAsString());
    }

    @Test
    void jsonLinesArePairedById() throws IOException {
        Path ref = file("ref.jsonl", "{\"id\": \"b\", \"text\": \"x y\", \"audio\": \"b.wav\"}\n\n{\"id\": \"a\", \"text\": \"z\"}\n");
        Path hyp = file("hyp.jsonl", "{\"id\": \"a\", \"text\": \"z\"}\n{\"id\": \"b\", \"text\": \"x q\"}\n");
        JsonObject j = json(score("--ref", ref.toString(), "--hyp", hyp.toString(), "--json"));
        assertEquals(1, j.get("errors").getAsInt());
        assertEquals(3, j.get("reference_length").getAsInt());
    }

    @Test
    void numericIdsAndMixedFormatsPairByLineWhenOneSideHasNoIds() throws IOException {
        Path ref = file("ref.data", "{\"id\": 1, \"text\": \"one two\"}\n{\"id\": 2, \"text\": \"three\"}\n");
        Path hyp = file("hyp.txt", "one too\nthree\n");
        JsonObject j = json(score("--ref", ref.toString(), "--hyp", hyp.toString(), "--json"));
        assertEquals(1, j.get("errors").getAsInt());
        assertEquals(3, j.get("reference_length").getAsInt());
    }

    @Test
    void chineseCerWithoutSpaces() throws IOException {
        Path ref = file("ref.txt", "\ufeff今天 天气很好。\n");
        Path hyp = file("hyp.txt", "今天天汽很好啊\n");
        JsonObject j = json(score("--ref", ref.toString(), "--hyp", hyp.toString(), "--cer", "--no-spaces", "--json"));
        assertEquals("cer", j.get("metric").getAsString());
        assertEquals("remove", j.get("spaces").getAsString());
        assertEquals(2, j.get("errors").getAsInt());
        assertEquals(6, j.get("reference_length").getAsInt());
    }

    @Test
    void mismatchedFilesFailWithAClearMessage() throws IOException {
        Path ref = file("ref.txt", "a\nb\nc\n");
        Path hyp = file("hyp.txt", "a\nb\n");
        Run r = score("--ref", ref.toString(), "--hyp", hyp.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("has 3 utterances but") && r.err().contains("has 2"), r.err());

        Path refIds = file("r.jsonl", "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"b\", \"text\": \"y\"}\n");
        Path hypIds = file("h.jsonl", "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"c\", \"text\": \"y\"}\n");
        r = score("--ref", refIds.toString(), "--hyp", hypIds.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("[b]"), r.err());

        Path broken = file("broken.jsonl", "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"b\", \"txt\": \"y\"}\n");
        r = score("--ref", broken.toString(), "--hyp", hypIds.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("broken.jsonl:2") && r.err().contains("\"text\""), r.err());

        Path dup = file("dup.jsonl", "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"a\", \"text\": \"y\"}\n");
        r = score("--ref", dup.toString(), "--hyp", hypIds.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("occurs more than once"), r.err());

        r = score("--ref", tmp.resolve("missing.txt").toString(), "--hyp", hyp.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing.txt"), r.err());
    }

    @Test
    void usageErrors() throws IOException {
        Path ref = file("ref.txt", "a\n");
        assertEquals(2, score("--ref", ref.toString()).code());
        assertEquals(2, score("--ref", ref.toString(), "--hyp", ref.toString(), "--normalize", "english").code());
        assertNotEquals(0, score("--ref", ref.toString(), "--hyp", ref.toString(), "--no-spaces").code());
    }
}
