package org.dqwhisper.text;

/**
 * UTF-8 to String with the replacement rule of Python's {@code bytes.decode("utf-8", errors="replace")}, which is
 * what tiktoken's and whisper's {@code decode} return.
 *
 * <p>Rule (CPython, following the Unicode "best practice" for U+FFFD substitution): each <em>maximal subpart</em>
 * of an ill-formed sequence becomes one U+FFFD. A maximal subpart is the longest prefix of a well-formed
 * sequence that is present, or a single byte when no well-formed sequence starts there. Concretely:
 * <ul>
 *   <li>bytes 80..C1 and F5..FF never start a sequence: one U+FFFD each;</li>
 *   <li>after a lead byte, the second byte must lie in the lead's own range (E0: A0..BF, ED: 80..9F,
 *       F0: 90..BF, F4: 80..8F, otherwise 80..BF), later bytes in 80..BF;</li>
 *   <li>when a byte fails (or the input ends), the lead byte and the valid continuation bytes before it form one
 *       U+FFFD, and decoding resumes at the failing byte.</li>
 * </ul>
 * Examples: {@code E2 82} → one U+FFFD; {@code E0 80} → two (80 is not a valid second byte after E0);
 * {@code ED A0 80} (an encoded surrogate) → three; {@code F0 9F 98 41} → U+FFFD then "A".
 * This differs from some {@link java.nio.charset.CharsetDecoder} versions for surrogates and truncated sequences,
 * hence this class.
 */
public final class ReplacingUtf8Decoder {
    private static final char REPLACEMENT = '\uFFFD';

    private ReplacingUtf8Decoder() {
    }

    /** Decodes all of {@code bytes}. */
    public static String decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /** Decodes {@code bytes[from, to)}. */
    public static String decode(byte[] bytes, int from, int to) {
        if (from < 0 || to > bytes.length || from > to) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") outside a byte array of length "
                    + bytes.length);
        }
        StringBuilder out = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int need;          // continuation bytes after the lead
            int lo2 = 0x80;    // allowed range of the second byte
            int hi2 = 0xBF;
            int cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                cp = b0 & 0x0F;
                if (b0 == 0xE0) {
                    lo2 = 0xA0;
                } else if (b0 == 0xED) {
                    hi2 = 0x9F;
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                cp = b0 & 0x07;
                if (b0 == 0xF0) {
                    lo2 = 0x90;
                } else if (b0 == 0xF4) {
                    hi2 = 0x8F;
                }
            } else {
                out.append(REPLACEMENT);  // 80..C1, F5..FF: not a lead byte
                i++;
                continue;
            }
            int j = i + 1;
            boolean complete = true;
            for (int k = 0; k < need; k++, j++) {
                if (j >= to) {
                    complete = false;
                    break;
                }
                int b = bytes[j] & 0xFF;
                int lo = k == 0 ? lo2 : 0x80;
                int hi = k == 0 ? hi2 : 0xBF;
                if (b < lo || b > hi) {
                    complete = false;
                    break;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if (complete) {
                out.appendCodePoint(cp);
            } else {
                out.append(REPLACEMENT);  // lead + the valid continuation bytes seen so far
            }
            i = j;
        }
        return out.toString();
    }
}
