package org.dqwhisper.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dqwhisper.audio.WavWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void audio() throws IOException {
        WavWriter.writePcm16(tmp.resolve("data/audio/a.wav"), new float[1600], 16000);
        WavWriter.writePcm16(tmp.resolve("data/audio/b.wav"), new float[1600], 16000);
    }

    private Path manifest(String... lines) throws IOException {
        Path m = tmp.resolve("data/m.jsonl");
        Files.writeString(m, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return m;
    }

    @Test
    void readsRequiredAndOptionalFieldsWithPathsRelativeToTheManifest() throws IOException {
        Path abs = tmp.resolve("data/audio/b.wav").toAbsolutePath();
        Manifest m = Manifest.read(manifest(
            "{\"id\": \"u1\", \"audio\": \"audio/a.wav\", \"text\": \"Guten Tag.\", \"language\": \"German\","
                + " \"duration\": 0.1, \"speaker\": \"de+m3\", \"extra\": [1, 2]}",
            "",
            "{\"audio\": \"" + abs + "\", \"text\": \"\"}"));
        assertEquals(2, m.size());
        ManifestEntry a = m.entries().get(0);
        assertEquals("u1", a.id());
        assertEquals(tmp.resolve("data/audio/a.wav").toAbsolutePath().normalize(), a.audio());
        assertEquals("Guten Tag.", a.text());
        assertEquals("de", a.language());
        assertEquals(0.1, a.duration());
        assertEquals("de+m3", a.speaker());
        assertEquals(1, a.line());
        ManifestEntry b = m.entries().get(1);
        assertEquals(abs.toString(), b.id(), "id defaults to the audio path as written");
        assertNull(b.language());
        assertNull(b.duration());
        assertEquals(3, b.line());
    }

    @Test
    void problemsNameTheFileAndLine() throws IOException {
        String ok = "{\"audio\": \"audio/a.wav\", \"text\": \"x\"}";
        List<String[]> cases = List.of(
            new String[] {"{\"audio\": \"audio/a.wav\", \"text\": ", ":2: not valid JSON"},
            new String[] {"[1, 2]", ":2: expected a JSON object"},
            new String[] {"{\"text\": \"x\"}", ":2: missing \"audio\""},
            new String[] {"{\"audio\": \"audio/a.wav\"}", ":2: missing \"text\""},
            new String[] {"{\"audio\": \"audio/none.wav\", \"text\": \"x\"}", ":2: audio file not found: "},
            new String[] {"{\"audio\": \"\", \"text\": \"x\"}", ":2: \"audio\" is empty"},
            new String[] {"{\"audio\": 5, \"text\": \"x\"}", ":2: \"audio\" must be a string"},
            new String[] {"{\"audio\": \"audio/b.wav\", \"text\": \"x\", \"language\": \"klingon\"}",
                ":2: unknown language 'klingon'"},
            new String[] {"{\"audio\": \"audio/b.wav\", \"text\": \"x\", \"duration\": \"long\"}",
                ":2: \"duration\" must be a number"},
            new String[] {"{\"audio\": \"audio/b.wav\", \"text\": \"x\", \"duration\": -1}",
                ":2: \"duration\" must be >= 0"},
            new String[] {"{\"audio\": \"audio/a.wav\", \"text\": \"y\"}", ":2: id 'audio/a.wav' already used on line 1"},
            new String[] {"{\"audio\": \"audio/b.wav\", \"text\": \"x\"} {}", ":2: not valid JSON at column 40"},
            new String[] {"{audio: \"audio/b.wav\", \"text\": \"x\"}", ":2: not valid JSON"});
        for (String[] c : cases) {
            Path m = manifest(ok, c[0]);
            ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> Manifest.read(m), c[0]);
            assertTrue(e.getMessage().startsWith(m.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertEquals(2, e.line());
        }
        ManifestFormatException empty = assertThrows(ManifestFormatException.class, () -> Manifest.read(manifest("")));
        assertTrue(empty.getMessage().contains("no utterances"), empty.getMessage());
    }

    @Test
    void bytesThatAreNotUtf8NameTheFile() throws IOException {
        Path m = tmp.resolve("data/latin1.jsonl");
        // "Grüße" in ISO-8859-1: 0xFC and 0xDF are not valid UTF-8 here
        Files.write(m, "{\"audio\": \"audio/a.wav\", \"text\": \"Gr\u00fc\u00dfe\"}\n".getBytes(StandardCharsets.ISO_8859_1));
        ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> Manifest.read(m));
        assertTrue(e.getMessage().startsWith(m + ":1: not valid UTF-8"), e.getMessage());
    }
}
