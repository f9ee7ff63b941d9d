package org.dqwhisper.corpus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A language of the built-in corpus: its Whisper language code (also the name of its sentence file), and the
 * espeak-ng voices that speak it. Several voices of one language (en-us / en-gb, pt / pt-br) are accents; a speaker
 * is one of them combined with a voice variant (see {@link Speaker}).
 *
 * @param code        Whisper's language code, e.g. "de", "zh"
 * @param name        English name
 * @param voices      espeak-ng voice names (at least one)
 * @param script      the writing system of the transcripts
 */
public record CorpusLanguage(String code, String name, List<String> voices, String script) {
    public CorpusLanguage {
        if (voices.isEmpty()) {
            throw new IllegalArgumentException(code + ": no espeak-ng voice");
        }
        voices = List.copyOf(voices);
    }

    private static final Map<String, CorpusLanguage> ALL = new LinkedHashMap<>();

    static {
        add(new CorpusLanguage("en", "English", List.of("en-us", "en-gb"), "Latin"));
        add(new CorpusLanguage("de", "German", List.of("de"), "Latin"));
        add(new CorpusLanguage("fr", "French", List.of("fr-fr", "fr-be"), "Latin"));
        add(new CorpusLanguage("es", "Spanish", List.of("es", "es-419"), "Latin"));
        add(new CorpusLanguage("it", "Italian", List.of("it"), "Latin"));
        add(new CorpusLanguage("pt", "Portuguese", List.of("pt", "pt-br"), "Latin"));
        add(new CorpusLanguage("ru", "Russian", List.of("ru"), "Cyrillic"));
        add(new CorpusLanguage("hi", "Hindi", List.of("hi"), "Devanagari"));
        // Debian's espeak-ng 1.51 "cmn" voice reads most Han characters as pinyin with English tone digits; the
        // sentence file therefore carries tone-numbered pinyin, spoken by the voice that reads pinyin.
        add(new CorpusLanguage("zh", "Mandarin Chinese", List.of("cmn-latn-pinyin"), "Han"));
        add(new CorpusLanguage("el", "Greek", List.of("el"), "Greek"));
    }

    /** The languages of the default corpus: 8 languages, 3 of them in non-Latin scripts (ru, hi, zh). */
    public static final List<String> DEFAULT_CODES = List.of("en", "de", "fr", "es", "it", "ru", "hi", "zh");

    private static void add(CorpusLanguage language) {
        ALL.put(language.code(), language);
    }

    /** Every language with a sentence file, in a fixed order. */
    public static List<CorpusLanguage> all() {
        return new ArrayList<>(ALL.values());
    }

    /** The language with Whisper code {@code code}; IllegalArgumentException listing the known ones otherwise. */
    public static CorpusLanguage byCode(String code) {
        CorpusLanguage language = ALL.get(code.trim().toLowerCase(Locale.ROOT));
        if (language == null) {
            throw new IllegalArgumentException("no corpus language '" + code + "'; known: "
                + String.join(",", ALL.keySet()));
        }
        return language;
    }
}
