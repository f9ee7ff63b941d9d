package org.dqwhisper.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * whisper's grouping of tokens into words for word-level timestamps ({@code split_to_word_tokens} and its two
 * helpers), with Python's string semantics: indices count code points, {@code str.strip()} removes Python
 * white space, and the punctuation test is Python's {@code s in string.punctuation} (a substring test, so the
 * empty string and runs such as "()" count as punctuation).
 */
final class WhisperWordSplitter {
    /** Languages written without spaces between words: split wherever complete characters decode. */
    static final Set<String> LANGUAGES_WITHOUT_SPACES = Set.of("zh", "ja", "th", "lo", "my", "yue");
    /** Python's {@code string.punctuation}. */
    static final String PYTHON_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private WhisperWordSplitter() {
    }

    static List<WordTokens> splitToWordTokens(WhisperTokenizer tokenizer, int[] tokens, String language) {
        if (language != null && LANGUAGES_WITHOUT_SPACES.contains(language)) {
            return splitOnUnicode(tokenizer, tokens);
        }
        return splitOnSpaces(tokenizer, tokens);
    }

    /**
     * Accumulates tokens until they decode without U+FFFD, or until the U+FFFD they produce is also in the decoded
     * whole (a genuinely invalid byte rather than a character cut in half). Tokens left over at the end, which
     * never complete a character, are dropped, as in whisper.
     */
    static List<WordTokens> splitOnUnicode(WhisperTokenizer tokenizer, int[] tokens) {
        int[] full = tokenizer.decodeWithTimestamps(tokens).codePoints().toArray();
        List<WordTokens> words = new ArrayList<>();
        IntList current = new IntList(8);
        int offset = 0;  // code points of full consumed by the words so far
        for (int token : tokens) {
            current.add(token);
            int[] ids = current.toArray();
            String decoded = tokenizer.decodeWithTimestamps(ids);
            int[] codePoints = decoded.codePoints().toArray();
            int replacement = indexOf(codePoints, 0xFFFD);
            // Python would raise IndexError past the end of the whole; that cannot happen for a prefix of the
            // same bytes, and here it would simply keep accumulating.
            if (replacement < 0
                    || (offset + replacement < full.length && full[offset + replacement] == 0xFFFD)) {
                words.add(new WordTokens(decoded, ids));
                current = new IntList(8);
                offset += codePoints.length;
            }
        }
        return words;
    }

    /** Merges the unicode-split subwords into words that start with a space, a special token or punctuation. */
    static List<WordTokens> splitOnSpaces(WhisperTokenizer tokenizer, int[] tokens) {
        List<WordTokens> subwords = splitOnUnicode(tokenizer, tokens);
        List<String> words = new ArrayList<>();
        List<IntList> wordTokens = new ArrayList<>();
        for (WordTokens subword : subwords) {
            int[] ids = subword.tokens();
            String text = subword.word();
            boolean special = ids[0] >= tokenizer.eot();
            boolean withSpace = text.startsWith(" ");
            boolean punctuation = PYTHON_PUNCTUATION.contains(pythonStrip(text));
            if (special || withSpace || punctuation || words.isEmpty()) {
                words.add(text);
                IntList list = new IntList(ids.length);
                list.addAll(ids);
                wordTokens.add(list);
            } else {
                int last = words.size() - 1;
                words.set(last, words.get(last) + text);
                wordTokens.get(last).addAll(ids);
            }
        }
        List<WordTokens> result = new ArrayList<>(words.size());
        for (int i = 0; i < words.size(); i++) {
            result.add(new WordTokens(words.get(i), wordTokens.get(i).toArray()));
        }
        return result;
    }

    /** Python's {@code str.strip()} with no argument. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /**
     * Python's {@code str.isspace()} for one character (all such characters are in the BMP): bidi classes WS, B,
     * S or category Zs. Unlike Unicode White_Space it includes U+001C..U+001F.
     */
    static boolean isPythonSpace(char c) {
        return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
