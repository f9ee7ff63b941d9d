package org.dqwhisper.text.normalize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected strings follow whisper's basic.py rules step by step (and agree with CPython 3.11 running it). */
class BasicTextNormalizerTest {
    private final BasicTextNormalizer basic = new BasicTextNormalizer();
    private final BasicTextNormalizer noDiacritics = new BasicTextNormalizer(true, false, false);
    private final BasicTextNormalizer split = new BasicTextNormalizer(false, true, false);

    @Test
    void punctuationBecomesSpaceAndResultIsNotTrimmed() {
        assertEquals("hello world ", basic.normalize("Hello, World!"));
        assertEquals("tab here", basic.normalize("tab\there"));
    }

    @Test
    void bracketsAndParenthesesAreRemovedWithTheirContent() {
        assertEquals(" don t stop me now ", basic.normalize("  Don't   stop [LAUGHTER] me (please)  now. "));
        assertEquals(" the bold end", basic.normalize("<unk> the <b>bold</b> end"));
        assertEquals("x y", basic.normalize("x () y")); // "()" has no content: not removed, then both become spaces
        assertEquals(" ", basic.normalize("()"));
        assertEquals(" unclosed bracket", basic.normalize("(unclosed [bracket"));
        assertEquals(" b c", basic.normalize("[a] b [c"));
    }

    @Test
    void symbolsAndDashesBecomeSpacesDiacriticsStayByDefault() {
        assertEquals("\u00e7a co\u00fbte 5 tr\u00e8s cher ", basic.normalize("\u00c7a co\u00fbte 5 \u20ac \u2014 tr\u00e8s cher\u2026"));
        assertEquals("na\u00efve caf\u00e9", basic.normalize("na\u00efve caf\u00e9"));
        assertEquals("\u00e9", basic.normalize("e\u0301")); // NFKC composes e + combining acute
    }

    @Test
    void removeDiacriticsUsesNfkdAndTheExtraLetterMap() {
        assertEquals("ca coute 5 tres cher ", noDiacritics.normalize("\u00c7a co\u00fbte 5 \u20ac \u2014 tr\u00e8s cher\u2026"));
        assertEquals("strasse ore lodz aether", noDiacritics.normalize("Stra\u00dfe \u00d8re \u0141\u00f3d\u017a \u00e6ther"));
        assertEquals("straße øre łódź æther", basic.normalize("Stra\u00dfe \u00d8re \u0141\u00f3d\u017a \u00e6ther"));
    }

    @Test
    void compatibilityCharactersAreDecomposed() {
        // U+FB01 ligature fi, U+00BD one half -> "1⁄2" whose fraction slash is a symbol, U+216B roman twelve
        assertEquals("fine 1 2 xii", basic.normalize("\ufb01ne \u00bd \u216b"));
    }

    @Test
    void cjkPunctuationAndWhitespaceVariants() {
        assertEquals("\u65e5\u672c\u8a9e \u30c6\u30ad\u30b9\u30c8 ", basic.normalize("\u65e5\u672c\u8a9e\u3001\u30c6\u30ad\u30b9\u30c8\u3002"));
        assertEquals("a b c d ", basic.normalize("a\u00a0b\u2009c\td\n"));
    }

    @Test
    void marksAreSpacesUnlessPreserved() {
        String hindi = "\u0939\u093f\u0928\u094d\u0926\u0940 \u092d\u093e\u0937\u093e";
        assertEquals("\u0939 \u0928 \u0926 \u092d \u0937 ", basic.normalize(hindi));
        assertEquals(hindi, new BasicTextNormalizer(false, false, true).normalize(hindi));
        assertThrows(IllegalArgumentException.class, () -> new BasicTextNormalizer(true, false, true));
    }

    @Test
    void greekFinalSigmaLowercasesInContext() {
        assertEquals("\u03c3\u03b1\u03c2 \u03bf\u03b4\u03bf\u03c2", basic.normalize("\u03a3\u0391\u03a3 \u039f\u0394\u039f\u03a3"));
    }

    @Test
    void splitLettersSeparatesGraphemes() {
        assertEquals("h e l l o w o r l d ", split.normalize("Hello, World!"));
        assertEquals("\u65e5 \u672c \u8a9e \u30c6 \u30ad \u30b9 \u30c8 ", split.normalize("\u65e5\u672c\u8a9e\u3001\u30c6\u30ad\u30b9\u30c8\u3002"));
        // NFKC composes a + U+0308 into one code point first
        assertEquals("n \u00e4 b", split.normalize("na\u0308b"));
        // a consonant with a vowel sign (category Mc) is one grapheme when marks are preserved
        assertEquals("\u0939\u093f \u092e", new BasicTextNormalizer(false, true, true).normalize("\u0939\u093f\u092e"));
    }

    @Test
    void pythonWhitespaceMatchesStrIsspace() {
        for (int cp : new int[] {0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x200a,
                0x2028, 0x2029, 0x202f, 0x205f, 0x3000}) {
            assertTrue(PythonWhitespace.isSpace(cp), Integer.toHexString(cp));
        }
        for (int cp : new int[] {0x00, 0x08, 0x0e, 0x1b, 0x21, 0x200b, 0x180e, 0xfeff, 'a'}) {
            assertFalse(PythonWhitespace.isSpace(cp), Integer.toHexString(cp));
        }
        assertEquals(List.of("a", "b\u200bc"), PythonWhitespace.split("\u3000a\u00a0 b\u200bc\n"));
        assertEquals(" a b ", PythonWhitespace.collapse("\t a \u2003\u2003b\n"));
        assertEquals("x", PythonWhitespace.strip("\u0085\u00a0x\u202f"));
    }
}
