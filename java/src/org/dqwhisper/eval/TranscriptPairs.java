package org.dqwhisper.eval;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads reference and hypothesis transcripts and pairs them up for scoring.
 *
 * <p>A transcript file is either <b>plain text</b>, one utterance per line (an empty line is an empty utterance,
 * e.g. silence), or <b>JSON lines</b>: one object per non-blank line with a {@code "text"} string and optionally an
 * {@code "id"} (string or number), as in a training manifest or a hypothesis dump. A file is read as JSON lines when
 * its name ends in {@code .jsonl} or {@code .json}, or when its first non-blank line starts with '{'. Files are
 * UTF-8; a leading byte order mark is ignored.
 *
 * <p>Pairing: when every record of both files has an id, records are paired by id (in the reference order; every
 * id must be unique and present in both files). Otherwise they are paired by position, and both files must hold the
 * same number of utterances.
 */
public final class TranscriptPairs {
    /** One utterance of a transcript file; {@code id} is {@code null} when the file has none. */
    public record Utterance(String id, String text) {}

    /** A reference and its hypothesis; {@code id} is the shared id or the 1-based position as text. */
    public record Pair(String id, String reference, String hypothesis) {}

    private TranscriptPairs() {}

    /** Reads the utterances of {@code file} (format detection as in the class comment). */
    public static List<Utterance> read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not valid UTF-8 text", e);
        }
        if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
            lines.set(0, lines.get(0).substring(1));
        }
        return isJsonLines(file, lines) ? parseJsonLines(file, lines) : plainLines(lines);
    }

    /**
     * Pairs references with hypotheses (by id when both have ids, else by position).
     *
     * @throws IllegalArgumentException naming the files and ids/counts when they do not pair up
     */
    public static List<Pair> pair(List<Utterance> references, List<Utterance> hypotheses, String refName,
            String hypName) {
        boolean refIds = hasIds(references, refName);
        boolean hypIds = hasIds(hypotheses, hypName);
        List<Pair> pairs = new ArrayList<>(references.size());
        if (refIds && hypIds && !references.isEmpty() && !hypotheses.isEmpty()) {
            Map<String, String> refById = byId(references, refName);
            Map<String, String> hypById = byId(hypotheses, hypName);
            List<String> missing = new ArrayList<>();
            refById.keySet().stream().filter(id -> !hypById.containsKey(id)).forEach(missing::add);
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(hypName + " has no hypothesis for " + missing.size()
                        + " reference id(s) of " + refName + ", e.g. " + sample(missing));
            }
            List<String> extra = new ArrayList<>();
            hypById.keySet().stream().filter(id -> !refById.containsKey(id)).forEach(extra::add);
            if (!extra.isEmpty()) {
                throw new IllegalArgumentException(hypName + " has " + extra.size() + " id(s) that " + refName
                        + " does not have, e.g. " + sample(extra));
            }
            refById.forEach((id, text) -> pairs.add(new Pair(id, text, hypById.get(id))));
            return pairs;
        }
        if (references.size() != hypotheses.size()) {
            throw new IllegalArgumentException(refName + " has " + references.size() + " utterances but " + hypName
                    + " has " + hypotheses.size() + "; without ids on both sides they are paired line by line");
        }
        for (int i = 0; i < references.size(); i++) {
            pairs.add(new Pair(Integer.toString(i + 1), references.get(i).text(), hypotheses.get(i).text()));
        }
        return pairs;
    }

    private static boolean isJsonLines(Path file, List<String> lines) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return true;
        }
        for (String line : lines) {
            if (!line.isBlank()) {
                return line.stripLeading().startsWith("{");
            }
        }
        return false;
    }

    private static List<Utterance> plainLines(List<String> lines) {
        List<Utterance> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            out.add(new Utterance(null, line));
        }
        return out;
    }

    private static List<Utterance> parseJsonLines(Path file, List<String> lines) throws IOException {
        List<Utterance> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            JsonObject obj;
            try {
                JsonElement element = JsonParser.parseString(line);
                if (!element.isJsonObject()) {
                    throw new TranscriptFormatException(where + ": expected a JSON object, got " + abbreviate(line));
                }
                obj = element.getAsJsonObject();
            } catch (JsonParseException e) {
                throw new TranscriptFormatException(where + ": not valid JSON: " + abbreviate(line), e);
            }
            JsonElement text = obj.get("text");
            if (text == null || !text.isJsonPrimitive() || !text.getAsJsonPrimitive().isString()) {
                throw new TranscriptFormatException(where + ": needs a string field \"text\"");
            }
            JsonElement id = obj.get("id");
            String idText = null;
            if (id != null && !id.isJsonNull()) {
                if (!id.isJsonPrimitive()) {
                    throw new TranscriptFormatException(where + ": \"id\" must be a string or a number");
                }
                idText = id.getAsString();
            }
            out.add(new Utterance(idText, text.getAsString()));
        }
        return out;
    }

    private static boolean hasIds(List<Utterance> utterances, String name) {
        long withId = utterances.stream().filter(u -> u.id() != null).count();
        if (withId > 0 && withId < utterances.size()) {
            throw new IllegalArgumentException(name + ": " + withId + " of " + utterances.size()
                    + " records have an \"id\"; give every record an id or none");
        }
        return withId > 0;
    }

    private static Map<String, String> byId(List<Utterance> utterances, String name) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Utterance u : utterances) {
            if (map.putIfAbsent(u.id(), u.text()) != null) {
                throw new IllegalArgumentException(name + ": id '" + u.id() + "' occurs more than once");
            }
        }
        return map;
    }

    private static String sample(List<String> ids) {
        return ids.subList(0, Math.min(5, ids.size())).toString();
    }

    private static String abbreviate(String line) {
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }
}
