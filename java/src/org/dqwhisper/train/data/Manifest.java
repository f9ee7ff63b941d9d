package org.dqwhisper.train.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Gson;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.StringReader;
import com.google.gson.JsonPrimitive;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dqwhisper.text.WhisperLanguages;

/**
 * A JSON-lines manifest of training or evaluation utterances, one object per line:
 * <pre>{"id": "de-0001", "audio": "audio/de/de-0001.wav", "text": "Guten Tag.", "language": "de", "duration": 2.4}</pre>
 * {@code audio} and {@code text} are required; {@code audio} is resolved against the manifest's folder (absolute
 * paths stay as they are) and must exist. {@code id} (default: the audio path as written; ids must be unique),
 * {@code language} (a Whisper code or English name, stored as the code), {@code duration} (seconds, {@code >= 0})
 * and {@code speaker} are optional; other fields are ignored. Blank lines are skipped. Every problem is reported as
 * a {@link ManifestFormatException} naming the file and line.
 */
public final class Manifest {
    private static final java.util.regex.Pattern COLUMN = java.util.regex.Pattern.compile("column (\\d+)");
    private static final TypeAdapter<JsonElement> JSON_ELEMENT = new Gson().getAdapter(JsonElement.class);
    private final Path file;
    private final List<ManifestEntry> entries;

    private Manifest(Path file, List<ManifestEntry> entries) {
        this.file = file;
        this.entries = List.copyOf(entries);
    }

    /** Reads and checks {@code file}. */
    public static Manifest read(Path file) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        List<ManifestEntry> entries = new ArrayList<>();
        Map<String, Integer> idLines = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = readLine(r, file, line + 1)) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                ManifestEntry e = parse(file, folder, line, text);
                Integer previous = idLines.putIfAbsent(e.id(), line);
                if (previous != null) {
                    throw new ManifestFormatException(file, line, "id '" + e.id() + "' already used on line "
                        + previous);
                }
                entries.add(e);
            }
        }
        if (entries.isEmpty()) {
            throw new ManifestFormatException(file, 0, "no utterances");
        }
        return new Manifest(file, entries);
    }

    private static String readLine(BufferedReader r, Path file, int line) throws IOException {
        try {
            return r.readLine();
        } catch (CharacterCodingException e) {
            throw new ManifestFormatException(file, line, "not valid UTF-8 text at or after this line (" + e.getMessage() + ")");
        }
    }

    public Path file() {
        return file;
    }

    /** The utterances in file order. */
    public List<ManifestEntry> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    private static ManifestEntry parse(Path file, Path folder, int line, String text) throws ManifestFormatException {
        JsonObject o;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = JSON_ELEMENT.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new ManifestFormatException(file, line, "text after the JSON object: " + abbreviate(text));
            }
            if (!element.isJsonObject()) {
                throw new ManifestFormatException(file, line, "expected a JSON object, got " + abbreviate(text));
            }
            o = element.getAsJsonObject();
        } catch (JsonParseException | IOException e) {
            if (e instanceof ManifestFormatException m) {
                throw m;
            }
            java.util.regex.Matcher column = COLUMN.matcher(String.valueOf(e.getMessage()));
            throw new ManifestFormatException(file, line, "not valid JSON" + (column.find() ? " at column "
                + column.group(1) : "") + ": " + abbreviate(text));
        }
        String audioText = string(file, line, o, "audio", true);
        if (audioText.isBlank()) {
            throw new ManifestFormatException(file, line, "\"audio\" is empty");
        }
        Path audio;
        try {
            audio = folder.resolve(audioText).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new ManifestFormatException(file, line, "\"audio\" is not a path: " + e.getMessage());
        }
        if (!Files.isRegularFile(audio)) {
            throw new ManifestFormatException(file, line, "audio file not found: " + audio);
        }
        String transcript = string(file, line, o, "text", true);
        String id = string(file, line, o, "id", false);
        String language = string(file, line, o, "language", false);
        if (language != null) {
            try {
                language = WhisperLanguages.toCode(language);
            } catch (IllegalArgumentException e) {
                throw new ManifestFormatException(file, line, "unknown language '" + language + "'");
            }
        }
        Double duration = null;
        if (o.has("duration") && !o.get("duration").isJsonNull()) {
            JsonElement d = o.get("duration");
            if (!d.isJsonPrimitive() || !d.getAsJsonPrimitive().isNumber()) {
                throw new ManifestFormatException(file, line, "\"duration\" must be a number, got " + d);
            }
            duration = d.getAsDouble();
            if (!(duration >= 0) || duration.isInfinite()) {
                throw new ManifestFormatException(file, line, "\"duration\" must be >= 0, got " + duration);
            }
        }
        String speaker = string(file, line, o, "speaker", false);
        return new ManifestEntry(id != null ? id : audioText, audio, transcript, language, duration, speaker, line);
    }

    private static String string(Path file, int line, JsonObject o, String key, boolean required)
        throws ManifestFormatException {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new ManifestFormatException(file, line, "missing \"" + key + "\"");
            }
            return null;
        }
        if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isString()) {
            throw new ManifestFormatException(file, line, "\"" + key + "\" must be a string, got " + e);
        }
        return e.getAsString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
