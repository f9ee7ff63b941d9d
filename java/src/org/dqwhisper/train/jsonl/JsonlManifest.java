package org.dqwhisper.train.jsonl;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal reader of the training manifest format: one JSON object per line,
 * {@code {"audio": "clips/a.wav", "text": "…", "language": "de"}}, audio paths relative to the
 * manifest's folder (absolute paths also work); blank lines are skipped; {@code language} may be
 * omitted for English-only models. Errors name the file and line.
 */
public final class JsonlManifest {
    /** One utterance of a manifest; {@code language} is null when absent. */
    public record Entry(Path audio, String text, String language, int line) {}

    private JsonlManifest() {}

    public static List<Entry> read(Path manifest) throws IOException {
        if (!Files.isRegularFile(manifest)) throw new NoSuchFileException(manifest.toString(), null, "manifest not found");
        Path base = manifest.toAbsolutePath().getParent();
        List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            int lineNo = i + 1;
            JsonObject o;
            try {
                JsonElement e = JsonParser.parseString(line);
                if (!e.isJsonObject()) throw new ManifestFormatException(manifest, lineNo, "expected a JSON object");
                o = e.getAsJsonObject();
            } catch (JsonSyntaxException e) {
                throw new ManifestFormatException(manifest, lineNo, "invalid JSON: " + e.getMessage());
            }
            String audio = string(o, "audio", manifest, lineNo, true);
            String text = string(o, "text", manifest, lineNo, true);
            String language = string(o, "language", manifest, lineNo, false);
            Path path = base.resolve(audio).normalize();
            if (!Files.isRegularFile(path)) throw new ManifestFormatException(manifest, lineNo, "audio file " + path + " does not exist");
            out.add(new Entry(path, text, language, lineNo));
        }
        if (out.isEmpty()) throw new ManifestFormatException(manifest, 0, "no utterances");
        return out;
    }

    private static String string(JsonObject o, String key, Path file, int line, boolean required) throws ManifestFormatException {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            if (required) throw new ManifestFormatException(file, line, "missing \"" + key + "\"");
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ManifestFormatException(file, line, "\"" + key + "\" must be a string");
        }
        return e.getAsString();
    }

    /** A manifest line that cannot be used. */
    public static final class ManifestFormatException extends IOException {
        private static final long serialVersionUID = 1L;

        public ManifestFormatException(Path file, int line, String problem) {
            super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        }
    }
}
