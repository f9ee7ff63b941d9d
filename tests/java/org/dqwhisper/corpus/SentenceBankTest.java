package org.dqwhisper.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.dqwhisper.text.WhisperLanguages;
import org.junit.jupiter.api.Test;

/** The shipped sentence files: enough languages and scripts, enough varied, unique sentences with numbers. */
class SentenceBankTest {
    private static final Map<String, Character.UnicodeScript> SCRIPTS = Map.of(
        "Latin", Character.UnicodeScript.LATIN, "Cyrillic", Character.UnicodeScript.CYRILLIC,
        "Devanagari", Character.UnicodeScript.DEVANAGARI, "Han", Character.UnicodeScript.HAN,
        "Greek", Character.UnicodeScript.GREEK);
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    /** A number in pinyin: digits not glued to a syllable (tone digits are). */
    private static final Pattern PINYIN_NUMBER = Pattern.compile("(?<![a-zü\\d])\\d+");
    private static final Pattern PINYIN = Pattern.compile("[a-zü]+[1-5]|\\d+|[,.?!]");

    @Test
    void atLeastEightLanguagesAndTwoNonLatinScripts() {
        List<CorpusLanguage> all = CorpusLanguage.all();
        assertTrue(all.size() >= 8, "languages: " + all.size());
        Set<String> nonLatin = new TreeSet<>();
        for (CorpusLanguage l : all) {
            if (!l.script().equals("Latin")) {
                nonLatin.add(l.script());
            }
            assertTrue(WhisperLanguages.indexOf(l.code()) >= 0, l.code() + " is not a Whisper language code");
        }
        assertTrue(nonLatin.size() >= 2, "non-Latin scripts: " + nonLatin);
        assertEquals(8, CorpusLanguage.DEFAULT_CODES.size());
        long defaultNonLatin = CorpusLanguage.DEFAULT_CODES.stream()
            .filter(c -> !CorpusLanguage.byCode(c).script().equals("Latin")).count();
        assertTrue(defaultNonLatin >= 2, "the default corpus has " + defaultNonLatin + " non-Latin languages");
    }

    @Test
    void everyLanguageHasManyUniqueShortSentencesWithNumbers() {
        for (CorpusLanguage l : CorpusLanguage.all()) {
            List<Sentence> sentences = SentenceBank.load(l.code());
            assertTrue(sentences.size() >= 150, l.code() + ": " + sentences.size() + " sentences");
            Set<String> texts = new HashSet<>();
            Set<String> words = new HashSet<>();
            int withNumbers = 0;
            for (Sentence s : sentences) {
                assertTrue(texts.add(s.text()), l.code() + ": duplicate " + s.text());
                if (DIGITS.matcher(s.text()).find()) {
                    withNumbers++;
                    // the spoken form carries the same number, so audio and transcript agree
                    assertEquals(numbers(s.text(), DIGITS), numbers(s.spoken(), l.code().equals("zh") ? PINYIN_NUMBER
                        : DIGITS), l.code() + ": " + s);
                }
                int length = l.code().equals("zh") ? s.text().length() : s.text().split(" ").length;
                assertTrue(length >= 3 && length <= (l.code().equals("zh") ? 30 : 14), l.code() + ": length of "
                    + s.text());
                words.addAll(List.of(s.text().split("[\\s\\p{Punct}。，？]+")));
            }
            assertTrue(withNumbers >= sentences.size() / 4, l.code() + ": only " + withNumbers + " with numbers");
            // varied vocabulary, not one template repeated
            assertTrue(words.size() >= (l.code().equals("zh") ? 30 : 150), l.code() + ": " + words.size()
                + " distinct words");
        }
    }

    @Test
    void sentencesAreWrittenInTheLanguagesScript() {
        for (CorpusLanguage l : CorpusLanguage.all()) {
            Character.UnicodeScript expected = SCRIPTS.get(l.script());
            for (Sentence s : SentenceBank.load(l.code())) {
                int letters = 0;
                int inScript = 0;
                for (int cp : s.text().codePoints().toArray()) {
                    if (Character.isLetter(cp)) {
                        letters++;
                        if (Character.UnicodeScript.of(cp) == expected) {
                            inScript++;
                        }
                    }
                }
                assertEquals(letters, inScript, l.code() + ": letters outside " + l.script() + " in " + s.text());
            }
        }
    }

    @Test
    void mandarinIsSpokenFromToneNumberedPinyin() {
        for (Sentence s : SentenceBank.load("zh")) {
            assertFalse(s.spoken().equals(s.text()));
            for (String token : s.spoken().replaceAll("([,.?!])", " $1 ").trim().split("\\s+")) {
                assertTrue(PINYIN.matcher(token).matches(), "not tone-numbered pinyin: '" + token + "' in " + s);
            }
        }
        for (CorpusLanguage l : CorpusLanguage.all()) {
            if (!l.code().equals("zh")) {
                SentenceBank.load(l.code()).forEach(s -> assertEquals(s.text(), s.spoken()));
            }
        }
    }

    @Test
    void filesHaveNoDuplicateLinesEvenBeforeParsing() throws IOException {
        for (CorpusLanguage l : CorpusLanguage.all()) {
            try (InputStream in = SentenceBank.class.getResourceAsStream("/org/dqwhisper/corpus/" + l.code() + ".txt")) {
                List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(x -> !x.startsWith("#") && !x.isBlank()).toList();
                assertEquals(lines.size(), new HashSet<>(lines).size(), l.code());
            }
        }
    }

    private static List<String> numbers(String text, Pattern pattern) {
        return pattern.matcher(text).results().map(m -> m.group()).toList();
    }
}
