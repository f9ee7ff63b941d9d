package org.dqwhisper.text;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written split against (a) cases worked out from the regex by hand and (b) java.util.regex running the
 * same pattern with {@code \s} spelled out as the Unicode White_Space set (tiktoken's meaning of {@code \s}).
 */
class Gpt2PieceSplitterTest {
    private static List<String> split(String text) {
        return TiktokenBpe.splitPieces(text);
    }

    @Test
    void wordsNumbersAndPunctuation() {
        assertEquals(List.of("Hello", " world"), split("Hello world"));
        assertEquals(List.of("$", "5", ".", "99", " and", " 2024", "!!!", " ???"), split("$5.99 and 2024!!! ???"));
        assertEquals(List.of("x", "²", " ½", " ٣"), split("x² ½ ٣"));     // No, No, Nd are \p{N}
        assertEquals(List.of("ﬁ", " Ａ"), split("ﬁ Ａ"));                    // ligature and fullwidth are letters
        assertEquals(List.of(), split(""));
    }

    @Test
    void contractionsAreLowerCaseOnly() {
        assertEquals(List.of("I", "'m", " sure", " it", "'s"), split("I'm sure it's"));
        assertEquals(List.of("DOG", "'", "S"), split("DOG'S"));
        assertEquals(List.of("'ll", "'ve", "'re", "'d", "'t"), split("'ll've're'd't"));
        assertEquals(List.of("'", "r"), split("'r"));           // 'r alone is no contraction
        assertEquals(List.of("''", "s"), split("''s"));          // the first ' is not followed by s
        assertEquals(List.of(" '", "s"), split(" 's"));          // a space cannot precede a contraction
        assertEquals(List.of("it", "'s", "'"), split("it's'"));
    }

    @Test
    void whiteSpaceRunsLeaveTheirLastCharacterForTheNextWord() {
        assertEquals(List.of("a", " ", " b"), split("a  b"));
        assertEquals(List.of("  ", " three"), split("   three"));
        assertEquals(List.of("trailing", " spaces", "   "), split("trailing spaces   "));
        assertEquals(List.of("\r\n", " windows", "\r\n"), split("\r\n windows\r\n"));
        assertEquals(List.of("line", "\n", "\n", "next"), split("line\n\nnext"));
        assertEquals(List.of("tab", "\t", "x"), split("tab\tx"));       // one \s before non-space: \s+ alone
        assertEquals(List.of("a", "\t", " b"), split("a\t b"));          // the run keeps its last char back
        assertEquals(List.of(" "), split(" "));
        assertEquals(List.of("\n"), split("\n"));
    }

    @Test
    void unicodeWhiteSpace() {
        // NBSP, ideographic space, NEL are White_Space but not U+0020, so they never prefix a word.
        assertEquals(List.of("non", "\u00a0", "breaking"), split("non\u00a0breaking"));
        assertEquals(List.of("ＡＢＣ", "\u3000", "全角"), split("ＡＢＣ\u3000全角"));
        assertEquals(List.of("a", "\u0085", "b"), split("a\u0085b"));
        // U+001C is white space for Java and Python's str.isspace, but not Unicode White_Space: "other".
        assertEquals(List.of("a", "\u001c", "b"), split("a\u001cb"));
        assertEquals(List.of(" \u001c"), split(" \u001c"));
    }

    @Test
    void emojiAndSurrogates() {
        assertEquals(List.of("Emoji", ":", " 😀👍🏽🎉"), split("Emoji: 😀👍🏽🎉"));
        assertEquals(List.of(" 👨\u200d👩\u200d👧"), split(" 👨\u200d👩\u200d👧"));  // ZWJ is Cf: "other"
        assertEquals(List.of("a𝐀b"), split("a𝐀b"));                                  // U+1D400 is Lu
        assertEquals(List.of("a", "\ud800", "b"), split("a\ud800b"));                  // lone surrogate: "other"
        assertEquals(List.of("x", " \udc00\ud800"), split("x \udc00\ud800"));
    }

    @Test
    void matchesTheRegexOnRandomText() {
        String ws = "\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
        Pattern pattern = Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" + ws + "\\p{L}\\p{N}]+"
                + "|[" + ws + "]+(?![^" + ws + "])|[" + ws + "]+");
        String[] pool = {"a", "Z", "é", "日", "ß", "1", "²", "٣", " ", " ", " ", "\t", "\n", "\r", "\u00a0", "\u3000",
            "\u2028", "\u0085", "\u001c", "'", "'", "s", "t", "r", "e", "v", "m", "l", "d", "L", "!", ".", "😀",
            "\u200d", "🏽", "\ud800", "\udc00", "𝐀", "ﬁ", "\u0301"};
        Random random = new Random(3);
        for (int trial = 0; trial < 20000; trial++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(24);
            for (int i = 0; i < n; i++) {
                sb.append(pool[random.nextInt(pool.length)]);
            }
            String text = sb.toString();
            List<String> expected = new ArrayList<>();
            Matcher m = pattern.matcher(text);
            int covered = 0;
            while (m.find()) {
                assertEquals(covered, m.start(), "the pattern leaves no gaps");
                expected.add(m.group());
                covered = m.end();
            }
            assertEquals(text.length(), covered);
            assertEquals(expected, split(text), () -> "text: " + escape(text));
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.chars().forEach(c -> sb.append(c < 0x7f && c >= 0x20 ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return sb.toString();
    }
}
