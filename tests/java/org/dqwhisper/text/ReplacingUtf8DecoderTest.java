package org.dqwhisper.text;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Python's {@code bytes.decode("utf-8", errors="replace")}: one U+FFFD per maximal subpart of an ill-formed
 * sequence. Each expectation below follows from that rule (reasoning given per case) and was confirmed with
 * CPython 3.11's decoder.
 */
class ReplacingUtf8DecoderTest {
    private static final String R = "\uFFFD";

    private static String decode(String hex) {
        return ReplacingUtf8Decoder.decode(TokenizerVectors.unhex(hex));
    }

    @Test
    void wellFormedSequences() {
        assertEquals("", decode(""));
        assertEquals("é€😀", decode("c3a9e282acf09f9880"));
        assertEquals("\u0800", decode("e0a080"));        // smallest 3-byte (E0 needs A0..BF second)
        assertEquals("\ud7ff", decode("ed9fbf"));        // last code point before the surrogates
        assertEquals("\ue000", decode("ee8080"));        // first after them
        assertEquals("\udbff\udfff", decode("f48fbfbf"));  // U+10FFFF
        assertEquals(R, decode("efbfbd"));               // an encoded U+FFFD is just U+FFFD
    }

    @Test
    void truncatedSequenceIsOneReplacement() {
        assertEquals(R, decode("e282"));            // E2 82 is a valid prefix of a 3-byte sequence: one subpart
        assertEquals(R, decode("f09080"));          // valid 3-byte prefix of a 4-byte sequence
        assertEquals("a" + R, decode("61c3"));      // lead byte at the end
        assertEquals(R + "A", decode("f09f9841"));  // F0 9F 98 then 'A' breaks it: one U+FFFD, 'A' kept
        assertEquals("\u07ff" + R, decode("dfbfc2"));
    }

    @Test
    void invalidSecondByteReplacesOnlyTheLead() {
        assertEquals(R + R, decode("e080"));          // E0 requires A0..BF: E0 alone, then 80 alone
        assertEquals(R + R + R, decode("eda080"));    // encoded surrogate: ED requires 80..9F
        assertEquals(R + R + R + R, decode("f4908080"));  // above U+10FFFF: F4 requires 80..8F
        assertEquals(R + R, decode("c0af"));          // C0, C1 never start a sequence (overlong)
    }

    @Test
    void strayAndImpossibleBytes() {
        assertEquals(R + R, decode("8080"));          // continuation bytes without a lead
        assertEquals(R + R + R, decode("f5fffe"));    // F5..FF never occur
        // E1 80 | E2 | F0 91 92 | F1 BF | 41: four maximal subparts, then 'A'.
        assertEquals(R + R + R + R + "A", decode("e180e2f09192f1bf41"));
    }

    @Test
    void rangeArgumentsAreChecked() {
        byte[] bytes = {0x61, 0x62};
        assertEquals("b", ReplacingUtf8Decoder.decode(bytes, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> ReplacingUtf8Decoder.decode(bytes, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> ReplacingUtf8Decoder.decode(bytes, -1, 1));
    }

    @Test
    void agreesWithTheJdkOnValidText() {
        // On well-formed input there is nothing to replace, so any correct decoder must agree.
        Random random = new Random(7);
        for (int trial = 0; trial < 2000; trial++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(20);
            for (int i = 0; i < n; i++) {
                int cp;
                do {
                    cp = random.nextInt(4) == 0 ? random.nextInt(0x110000) : random.nextInt(0x800);
                } while (cp >= 0xD800 && cp <= 0xDFFF);
                sb.appendCodePoint(cp);
            }
            String text = sb.toString();
            assertEquals(text, ReplacingUtf8Decoder.decode(text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void matchesABruteForceReferenceOnRandomGarbage() {
        // Reference built from the JDK's UTF-8 encoder only: collect every proper prefix of every well-formed
        // encoding; at each position take the longest well-formed character, else the longest such prefix (at
        // least one byte) as one U+FFFD. Inputs are biased towards bytes that appear in UTF-8.
        Set<Long> prefixes = new HashSet<>();
        // Proper prefixes never include the last byte, which alone holds the low 6 bits: one cp per 64 suffices.
        for (int cp = 0x80; cp <= 0x10FFFF; cp += 64) {
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                continue;
            }
            byte[] enc = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            for (int k = 1; k < enc.length; k++) {
                prefixes.add(pack(enc, 0, k));
            }
        }
        int[] pool = {0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1,
            0xF4, 0xF5, 0xFF};
        Random random = new Random(11);
        for (int trial = 0; trial < 20000; trial++) {
            byte[] bytes = new byte[random.nextInt(10)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (random.nextInt(3) == 0 ? random.nextInt(256) : pool[random.nextInt(pool.length)]);
            }
            assertEquals(reference(bytes, prefixes), ReplacingUtf8Decoder.decode(bytes),
                    () -> TokenizerVectors.hex(bytes));
        }
    }

    private static String reference(byte[] bytes, Set<Long> prefixes) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < bytes.length) {
            int taken = 0;
            for (int len = 4; len >= 1 && taken == 0; len--) {
                if (i + len <= bytes.length && isOneWellFormedCharacter(bytes, i, len)) {
                    out.append(new String(bytes, i, len, StandardCharsets.UTF_8));
                    taken = len;
                }
            }
            if (taken == 0) {
                taken = 1;
                for (int k = 3; k >= 1; k--) {
                    if (i + k <= bytes.length && prefixes.contains(pack(bytes, i, k))) {
                        taken = k;
                        break;
                    }
                }
                out.append(R);
            }
            i += taken;
        }
        return out.toString();
    }

    private static final CharsetDecoder STRICT = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    private static boolean isOneWellFormedCharacter(byte[] bytes, int from, int len) {
        CharBuffer out = CharBuffer.allocate(4);
        STRICT.reset();
        CoderResult result = STRICT.decode(ByteBuffer.wrap(bytes, from, len), out, true);
        if (result.isError() || STRICT.flush(out).isError()) {
            return false;
        }
        out.flip();
        return Character.codePointCount(out, 0, out.length()) == 1;
    }

    private static long pack(byte[] bytes, int from, int len) {
        long key = len;
        for (int i = 0; i < len; i++) {
            key = (key << 8) | (bytes[from + i] & 0xFF);
        }
        return key;
    }
}
