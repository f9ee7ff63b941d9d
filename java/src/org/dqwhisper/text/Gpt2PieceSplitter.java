package org.dqwhisper.text;

/**
 * The pre-tokenization split of GPT-2 / whisper, written out by hand instead of compiling the regex
 * <pre>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</pre>
 * with the semantics of tiktoken's regex engine (Rust {@code fancy-regex}/{@code regex}): leftmost-first
 * alternation, greedy repetition, matched code point by code point; {@code \s} is the Unicode {@code White_Space}
 * property, {@code \p{L}} the general categories Lu/Ll/Lt/Lm/Lo and {@code \p{N}} Nd/Nl/No (taken from the JDK's
 * Unicode tables). A lone UTF-16 surrogate is treated as U+FFFD, as tiktoken's Python binding does.
 *
 * <p>How each alternative plays out at a position {@code i}:
 * <ul>
 *   <li>{@code '} followed by lower-case {@code s t re ve m ll d}: that contraction.</li>
 *   <li>An optional U+0020 then a maximal run of one class (letters, numbers, or "other" = neither letter, number
 *       nor white space); the space is taken only when the run class follows it directly.</li>
 *   <li>White space: the whole run if it reaches the end of the text; otherwise the run minus its last code point
 *       ({@code \s+(?!\S)} backtracks one step), which stays for the next piece; a run of one code point that is
 *       followed by non-space becomes a piece of its own ({@code \s+}).</li>
 * </ul>
 * The lookahead sees the end of the range passed in, not of the whole string: tiktoken applies the regex to each
 * stretch between special tokens separately.
 *
 * <p>Known limit: letter/number categories come from the running JDK (Unicode 13 on JDK 17), while tiktoken's
 * Rust regex tables follow a newer Unicode version; characters assigned since (e.g. CJK Extension H, Unicode 15)
 * count as "other" here and may split differently. Everything in the reference vectors is older.
 */
final class Gpt2PieceSplitter {
    static final int LETTER = 0;
    static final int NUMBER = 1;
    static final int SPACE = 2;
    static final int OTHER = 3;

    /** Receives each piece as a UTF-16 index range of the text. */
    interface PieceConsumer {
        void piece(int start, int end);
    }

    private Gpt2PieceSplitter() {
    }

    /** Calls {@code consumer} for each piece of {@code text[from, to)}, in order. */
    static void split(CharSequence text, int from, int to, PieceConsumer consumer) {
        int i = from;
        while (i < to) {
            int cp = codePointAt(text, i, to);
            int next = i + charCount(text, i, to);
            if (cp == '\'') {
                int contraction = contractionLength(text, next, to);
                if (contraction > 0) {
                    consumer.piece(i, next + contraction);
                    i = next + contraction;
                    continue;
                }
            }
            int cls = classOf(cp);
            if (cp == ' ' && next < to) {
                int following = classOf(codePointAt(text, next, to));
                if (following != SPACE) {
                    int end = runEnd(text, next, to, following);
                    consumer.piece(i, end);
                    i = end;
                    continue;
                }
            }
            if (cls != SPACE) {
                int end = runEnd(text, i, to, cls);
                consumer.piece(i, end);
                i = end;
                continue;
            }
            // White space: find the run and the start of its last code point.
            int lastStart = i;
            int end = next;
            while (end < to) {
                int c = codePointAt(text, end, to);
                if (classOf(c) != SPACE) {
                    break;
                }
                lastStart = end;
                end += charCount(text, end, to);
            }
            if (end == to || lastStart == i) {
                consumer.piece(i, end);    // \s+(?!\S) at the end of the text, or a single \s before non-space
                i = end;
            } else {
                consumer.piece(i, lastStart);  // leave the last white-space code point for the next piece
                i = lastStart;
            }
        }
    }

    /** Length in chars of a lower-case contraction suffix starting at {@code at} (after the apostrophe), or 0. */
    private static int contractionLength(CharSequence text, int at, int to) {
        if (at >= to) {
            return 0;
        }
        char c = text.charAt(at);
        switch (c) {
            case 's': case 't': case 'm': case 'd':
                return 1;
            case 'r':
                return at + 1 < to && text.charAt(at + 1) == 'e' ? 2 : 0;
            case 'v':
                return at + 1 < to && text.charAt(at + 1) == 'e' ? 2 : 0;
            case 'l':
                return at + 1 < to && text.charAt(at + 1) == 'l' ? 2 : 0;
            default:
                return 0;
        }
    }

    /** End of the maximal run of class {@code cls} starting at {@code at}. */
    private static int runEnd(CharSequence text, int at, int to, int cls) {
        int end = at;
        while (end < to) {
            int c = codePointAt(text, end, to);
            if (classOf(c) != cls) {
                break;
            }
            end += charCount(text, end, to);
        }
        return end;
    }

    /** The class of a code point for the split: LETTER, NUMBER, SPACE or OTHER. */
    static int classOf(int cp) {
        if (cp < 0x80) {
            if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
                return LETTER;
            }
            if (cp >= '0' && cp <= '9') {
                return NUMBER;
            }
            return (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) ? SPACE : OTHER;
        }
        if (isWhiteSpace(cp)) {
            return SPACE;
        }
        switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER:
            case Character.LOWERCASE_LETTER:
            case Character.TITLECASE_LETTER:
            case Character.MODIFIER_LETTER:
            case Character.OTHER_LETTER:
                return LETTER;
            case Character.DECIMAL_DIGIT_NUMBER:
            case Character.LETTER_NUMBER:
            case Character.OTHER_NUMBER:
                return NUMBER;
            default:
                return OTHER;
        }
    }

    /**
     * The Unicode {@code White_Space} property (PropList.txt, unchanged since Unicode 6.3), which is what
     * {@code \s} means in tiktoken's regex engine. Differs from Java's {@code Character.isWhitespace} (which
     * excludes the no-break spaces and includes U+001C..U+001F) and from Python's {@code str.isspace}.
     */
    static boolean isWhiteSpace(int cp) {
        if (cp <= 0x20) {
            return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
        }
        if (cp < 0x85) {
            return false;
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** The code point at {@code i}; a lone surrogate (or a high surrogate cut off by {@code to}) reads as U+FFFD. */
    static int codePointAt(CharSequence text, int i, int to) {
        char c = text.charAt(i);
        if (!Character.isSurrogate(c)) {
            return c;
        }
        if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
            return Character.toCodePoint(c, text.charAt(i + 1));
        }
        return 0xFFFD;
    }

    /** Number of chars of the code point at {@code i} (2 only for a complete surrogate pair inside the range). */
    static int charCount(CharSequence text, int i, int to) {
        char c = text.charAt(i);
        return Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1)) ? 2 : 1;
    }
}
