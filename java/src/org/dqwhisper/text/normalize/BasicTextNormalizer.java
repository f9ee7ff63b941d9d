package org.dqwhisper.text.normalize;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whisper's language-independent text normalizer ({@code whisper/normalizers/basic.py}, {@code BasicTextNormalizer}),
 * used before computing WER/CER on non-English text. Steps, in order:
 * <ol>
 *   <li>lowercase;</li>
 *   <li>delete every span from {@code <} or {@code [} to the next {@code >} or {@code ]} (annotations such as
 *       {@code [laughter]}, {@code <unk>});</li>
 *   <li>delete every non-empty parenthesized span {@code (...)} (shortest match, no nesting);</li>
 *   <li>clean: by default NFKC-normalize and replace every code point of Unicode category M (marks), S (symbols) or
 *       P (punctuation) by a space. With {@code removeDiacritics}, NFKD-normalize instead, drop non-spacing marks
 *       (Mn), map a few letters NFKD does not decompose (œ→oe, ø→o, æ→ae, ß→ss, đ/ð→d, þ→th, ł→l and capitals)
 *       and replace other M/S/P by a space. With {@code preserveMarks} (for scripts whose vowel signs are marks:
 *       Devanagari, Thai, ...), only S and P are replaced;</li>
 *   <li>lowercase again;</li>
 *   <li>with {@code splitLetters}, put a space between all extended grapheme clusters (for scripts without word
 *       spaces);</li>
 *   <li>replace every run of whitespace (Python's definition, {@link PythonWhitespace}) by one space.</li>
 * </ol>
 * Like the original, the result is <em>not</em> trimmed: it may start or end with a space. Word splitting for WER
 * ignores those. Unicode tables are Java's (Unicode 13 in JDK 17), so characters assigned after that may be
 * classified differently than in a newer Python.
 */
public final class BasicTextNormalizer implements UnaryOperator<String> {
    private static final Pattern BRACKETED = Pattern.compile("[<\\[][^>\\]]*[>\\]]");
    private static final Pattern PARENTHESIZED = Pattern.compile("\\(([^)]+?)\\)");
    private static final Pattern GRAPHEME = Pattern.compile("\\X");
    private static final Map<Integer, String> ADDITIONAL_DIACRITICS = Map.ofEntries(
            Map.entry((int) 'œ', "oe"), Map.entry((int) 'Œ', "OE"), Map.entry((int) 'ø', "o"),
            Map.entry((int) 'Ø', "O"), Map.entry((int) 'æ', "ae"), Map.entry((int) 'Æ', "AE"),
            Map.entry((int) 'ß', "ss"), Map.entry((int) 'ẞ', "SS"), Map.entry((int) 'đ', "d"),
            Map.entry((int) 'Đ', "D"), Map.entry((int) 'ð', "d"), Map.entry((int) 'Ð', "D"),
            Map.entry((int) 'þ', "th"), Map.entry((int) 'Þ', "th"), Map.entry((int) 'ł', "l"),
            Map.entry((int) 'Ł', "L"));

    private final boolean removeDiacritics;
    private final boolean splitLetters;
    private final boolean preserveMarks;

    /** The default normalizer (keeps diacritics, no letter splitting), as whisper's evaluation uses it. */
    public BasicTextNormalizer() {
        this(false, false, false);
    }

    /**
     * @throws IllegalArgumentException when both {@code removeDiacritics} and {@code preserveMarks} are set
     */
    public BasicTextNormalizer(boolean removeDiacritics, boolean splitLetters, boolean preserveMarks) {
        if (removeDiacritics && preserveMarks) {
            throw new IllegalArgumentException("preserveMarks cannot be combined with removeDiacritics");
        }
        this.removeDiacritics = removeDiacritics;
        this.splitLetters = splitLetters;
        this.preserveMarks = preserveMarks;
    }

    @Override
    public String apply(String s) {
        return normalize(s);
    }

    /** Normalizes {@code s} as described in the class comment. */
    public String normalize(String s) {
        String out = s.toLowerCase(Locale.ROOT);
        out = BRACKETED.matcher(out).replaceAll("");
        out = PARENTHESIZED.matcher(out).replaceAll("");
        out = removeDiacritics ? cleanRemovingDiacritics(out) : cleanKeepingDiacritics(out);
        out = out.toLowerCase(Locale.ROOT);
        if (splitLetters) {
            out = splitGraphemes(out);
        }
        return PythonWhitespace.collapse(out);
    }

    private String cleanKeepingDiacritics(String s) {
        String nfkc = Normalizer.normalize(s, Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(nfkc.length());
        nfkc.codePoints().forEach(cp -> {
            boolean replace = isSymbolOrPunctuation(cp) || (!preserveMarks && isMark(cp));
            if (replace) {
                out.append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static String cleanRemovingDiacritics(String s) {
        String nfkd = Normalizer.normalize(s, Normalizer.Form.NFKD);
        StringBuilder out = new StringBuilder(nfkd.length());
        nfkd.codePoints().forEach(cp -> {
            String mapped = ADDITIONAL_DIACRITICS.get(cp);
            if (mapped != null) {
                out.append(mapped);
            } else if (Character.getType(cp) == Character.NON_SPACING_MARK) {
                // dropped: a diacritic separated by NFKD
            } else if (isMark(cp) || isSymbolOrPunctuation(cp)) {
                out.append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static String splitGraphemes(String s) {
        StringBuilder out = new StringBuilder(s.length() * 2);
        Matcher m = GRAPHEME.matcher(s);
        while (m.find()) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(m.group());
        }
        return out.toString();
    }

    /** Unicode general category M*: Mn, Mc, Me. */
    static boolean isMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    /** Unicode general categories S* (Sm, Sc, Sk, So) and P* (Pc, Pd, Ps, Pe, Pi, Pf, Po). */
    static boolean isSymbolOrPunctuation(int cp) {
        return switch (Character.getType(cp)) {
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL,
                    Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }
}
