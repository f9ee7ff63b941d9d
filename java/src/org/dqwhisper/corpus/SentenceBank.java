package org.dqwhisper.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The sentences shipped in the jar, {@code /org/dqwhisper/corpus/<code>.txt}: UTF-8, one sentence per line,
 * {@code #} comment lines and blank lines ignored, an optional second tab-separated column with the text to speak.
 * Numbers are written as ASCII digits throughout (espeak-ng reads digits in the voice's language, and Whisper
 * writes numbers as digits); the files come from {@code tools/corpus/make_sentences.py}.
 */
public final class SentenceBank {
    static final String RESOURCE_FOLDER = "/org/dqwhisper/corpus/";

    private SentenceBank() {
    }

    /** The sentences of a language, in file order; duplicate transcripts are rejected. */
    public static List<Sentence> load(String code) {
        String resource = RESOURCE_FOLDER + code + ".txt";
        InputStream in = SentenceBank.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalArgumentException("no sentence file " + resource + " in the jar");
        }
        return read(in, resource);
    }

    /** The sentences of a file in the same format (e.g. a teacher's extra training sentences), in file order. */
    public static List<Sentence> load(java.nio.file.Path file) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no sentence file " + file);
        }
        try {
            return read(java.nio.file.Files.newInputStream(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    private static List<Sentence> read(InputStream in, String resource) {
        List<Sentence> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] columns = line.split("\t", -1);
                if (columns.length > 2) {
                    throw new IllegalStateException(resource + ":" + number + ": more than two tab-separated columns");
                }
                String text = columns[0].strip();
                String spoken = columns.length == 2 ? columns[1].strip() : text;
                if (!seen.add(text)) {
                    throw new IllegalStateException(resource + ":" + number + ": duplicate sentence '" + text + "'");
                }
                out.add(new Sentence(text, spoken));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
        return out;
    }
}
