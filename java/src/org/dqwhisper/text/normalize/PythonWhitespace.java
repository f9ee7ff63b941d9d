package org.dqwhisper.text.normalize;

import java.util.ArrayList;
import java.util.List;

/**
 * Python's notion of whitespace ({@code str.isspace()}, {@code str.strip()}, and {@code \s} in a {@code re}
 * pattern on {@code str}), which whisper's normalizers and writers rely on. It differs from Java's
 * {@link Character#isWhitespace(int)}: Python also counts U+00A0, U+2007 and U+202F (no-break spaces) and U+0085.
 * The set is the one of Python 3.11 (Unicode 14): characters of category Zs or of bidirectional class WS, B or S.
 */
public final class PythonWhitespace {
    private PythonWhitespace() {}

    /** {@code chr(codePoint).isspace()} in Python. */
    public static boolean isSpace(int codePoint) {
        if (codePoint <= 0x20) {
            return codePoint == 0x20 || (codePoint >= 0x09 && codePoint <= 0x0d) || (codePoint >= 0x1c);
        }
        return switch (codePoint) {
            case 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000 -> true;
            default -> codePoint >= 0x2000 && codePoint <= 0x200a;
        };
    }

    /** Python's {@code s.strip()} with no argument. */
    public static String strip(String s) {
        int begin = 0;
        int end = s.length();
        while (begin < end && isSpace(s.codePointAt(begin))) {
            begin += Character.charCount(s.codePointAt(begin));
        }
        while (end > begin && isSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(begin, end);
    }

    /** Length of the run of Python whitespace at the start of {@code s}, in chars. */
    public static int leadingLength(String s) {
        int i = 0;
        while (i < s.length() && isSpace(s.codePointAt(i))) {
            i += Character.charCount(s.codePointAt(i));
        }
        return i;
    }

    /** {@code re.sub(r"\s+", " ", s)}: every run of whitespace becomes one space (ends are not trimmed). */
    public static String collapse(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean inRun = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (isSpace(cp)) {
                if (!inRun) {
                    out.append(' ');
                }
                inRun = true;
            } else {
                out.appendCodePoint(cp);
                inRun = false;
            }
        }
        return out.toString();
    }

    /** Python's {@code s.split()} with no argument: the non-empty runs of non-whitespace. */
    public static List<String> split(String s) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && isSpace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            int begin = i;
            while (i < s.length() && !isSpace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            if (i > begin) {
                parts.add(s.substring(begin, i));
            }
        }
        return parts;
    }
}
