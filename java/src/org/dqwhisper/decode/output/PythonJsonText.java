package org.dqwhisper.decode.output;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * JSON scalars written the way Python's {@code json.dump} writes them with its defaults, so that our JSON files are
 * byte-identical to whisper's: strings with {@code ensure_ascii=True} escaping, floats as {@code repr(float)}.
 */
final class PythonJsonText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PythonJsonText() {}

    /**
     * Appends {@code s} as a JSON string: {@code \" \\ \n \r \t \b \f} escaped by name, every other character
     * outside printable ASCII (0x20..0x7e) as {@code \}{@code uXXXX} with lowercase hex, characters above U+FFFF
     * as their two UTF-16 surrogates.
     */
    static StringBuilder appendString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c >= 0x20 && c <= 0x7e) {
                        out.append(c);
                    } else {
                        out.append("\\u").append(HEX[(c >> 12) & 15]).append(HEX[(c >> 8) & 15])
                                .append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
                    }
                }
            }
        }
        return out.append('"');
    }

    /** Appends a float as {@code json.dump} does: {@code NaN}, {@code Infinity}, {@code -Infinity}, else {@link #repr}. */
    static StringBuilder appendFloat(StringBuilder out, double d) {
        if (Double.isNaN(d)) {
            return out.append("NaN");
        }
        if (Double.isInfinite(d)) {
            return out.append(d > 0 ? "Infinity" : "-Infinity");
        }
        return out.append(repr(d));
    }

    /**
     * Python's {@code repr(float)} for a finite double: the shortest decimal that reads back as the same double
     * (the closest to the exact value if several are that short), written positionally when the decimal exponent is
     * in [-4, 16) ({@code 0.0001}, {@code 1000000000000000.0}, always with a fraction part) and in scientific
     * notation otherwise ({@code 1e-05}, {@code 1.5e+16}, exponent with a sign and at least two digits).
     */
    static String repr(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("repr of a non-finite value: " + d);
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal shortest = shortestRoundTrip(d).stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int pointPosition = digits.length() - shortest.scale(); // value = 0.digits * 10^pointPosition
        StringBuilder out = new StringBuilder(24);
        if (d < 0) {
            out.append('-');
        }
        if (pointPosition > -4 && pointPosition <= 16) {
            if (pointPosition <= 0) {
                out.append("0.");
                out.append("0".repeat(-pointPosition)).append(digits);
            } else if (pointPosition < digits.length()) {
                out.append(digits, 0, pointPosition).append('.').append(digits, pointPosition, digits.length());
            } else {
                out.append(digits).append("0".repeat(pointPosition - digits.length())).append(".0");
            }
        } else {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int exponent = pointPosition - 1;
            out.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                out.append('0');
            }
            out.append(abs);
        }
        return out.toString();
    }

    /**
     * The shortest decimal that parses back to {@code d}; among equally short ones the nearest to {@code d}.
     * Round-tripping is monotone in the number of digits (a p-digit decimal that round-trips is also a (p+1)-digit
     * one), so the precision is found by bisection, starting from the digits of {@link Double#toString(double)},
     * which round-trips but is not always the shortest in JDK 17.
     */
    private static BigDecimal shortestRoundTrip(double d) {
        BigDecimal exact = new BigDecimal(d);
        int hi = Math.min(17, new BigDecimal(Double.toString(d)).stripTrailingZeros().precision());
        BigDecimal best = nearestRoundTrip(exact, d, hi);
        if (best == null) { // not expected: Double.toString round-trips; 17 digits always do
            hi = 17;
            best = nearestRoundTrip(exact, d, hi);
        }
        // Double.toString is nearly always already the shortest: settle that with one probe before bisecting
        BigDecimal shorter = hi > 1 ? nearestRoundTrip(exact, d, hi - 1) : null;
        if (shorter == null) {
            return best;
        }
        hi--;
        best = shorter;
        int lo = 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            BigDecimal candidate = nearestRoundTrip(exact, d, mid);
            if (candidate != null) {
                hi = mid;
                best = candidate;
            } else {
                lo = mid + 1;
            }
        }
        return best;
    }

    /** The nearer of the two {@code precision}-digit neighbours of {@code exact} that parses back to {@code d}, or
     * {@code null} if neither does. */
    private static BigDecimal nearestRoundTrip(BigDecimal exact, double d, int precision) {
        BigDecimal down = exact.round(new MathContext(precision, RoundingMode.FLOOR));
        BigDecimal up = exact.round(new MathContext(precision, RoundingMode.CEILING));
        boolean downOk = Double.parseDouble(down.toString()) == d;
        boolean upOk = down.compareTo(up) == 0 ? downOk : Double.parseDouble(up.toString()) == d;
        if (downOk && upOk) {
            int cmp = exact.subtract(down).compareTo(up.subtract(exact));
            if (cmp != 0) {
                return cmp < 0 ? down : up;
            }
            // equidistant: the one with an even last digit, as round-half-even would pick
            return down.unscaledValue().testBit(0) ? up : down;
        }
        return downOk ? down : upOk ? up : null;
    }
}
