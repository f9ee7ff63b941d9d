package org.dqwhisper.text;

/**
 * UTF-8 encoding of Java text as tiktoken sees it: a lone UTF-16 surrogate becomes U+FFFD (EF BF BD), as tiktoken's
 * Python binding does (it round-trips such strings through UTF-16 with {@code errors="replace"}).
 * {@link String#getBytes} would write '?' instead.
 */
final class Utf8Text {
    private Utf8Text() {
    }

    /** The UTF-8 bytes of the whole string. */
    static byte[] encode(String text) {
        byte[] out = new byte[maxBytes(text.length())];
        int n = encode(text, 0, text.length(), out);
        return java.util.Arrays.copyOf(out, n);
    }

    /** Upper bound of the UTF-8 length of {@code chars} UTF-16 units (a unit never needs more than 3 bytes). */
    static int maxBytes(int chars) {
        return chars * 3;
    }

    /** Writes the UTF-8 bytes of {@code text[from, to)} to {@code out} (≥ maxBytes(to - from) long); returns the count. */
    static int encode(CharSequence text, int from, int to, byte[] out) {
        int n = 0;
        int i = from;
        while (i < to) {
            int cp = Gpt2PieceSplitter.codePointAt(text, i, to);
            i += Gpt2PieceSplitter.charCount(text, i, to);
            if (cp < 0x80) {
                out[n++] = (byte) cp;
            } else if (cp < 0x800) {
                out[n++] = (byte) (0xC0 | (cp >> 6));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out[n++] = (byte) (0xE0 | (cp >> 12));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            }
        }
        return n;
    }
}
