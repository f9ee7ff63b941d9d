package org.dqwhisper.decode.output;

/**
 * Whisper's {@code format_timestamp}: {@code [HH:]MM:SS<marker>mmm}.
 *
 * <p>Seconds are first turned into whole milliseconds with Python's {@code round(seconds * 1000.0)}: the product is
 * computed in double precision and rounded half to even on its exact value ({@link Math#rint}), so 0.0005 s
 * (product 0.5) becomes 0 ms and 0.0015 s (product 1.5) becomes 2 ms. The hour field, two digits at least, is
 * written when {@code alwaysIncludeHours} (SRT) or when it is non-zero (VTT). Minutes and seconds are always two
 * digits, milliseconds three.
 */
public final class TimestampFormat {
    private TimestampFormat() {}

    /** {@code round(seconds * 1000.0)} as Python computes it. */
    public static long roundMillis(double seconds) {
        return (long) Math.rint(seconds * 1000.0);
    }

    /**
     * @throws IllegalArgumentException for a negative, NaN or infinite time
     */
    public static String format(double seconds, boolean alwaysIncludeHours, char decimalMarker) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("non-negative finite timestamp expected, got " + seconds);
        }
        long ms = roundMillis(seconds);
        long hours = ms / 3_600_000;
        ms -= hours * 3_600_000;
        long minutes = ms / 60_000;
        ms -= minutes * 60_000;
        long secs = ms / 1_000;
        ms -= secs * 1_000;
        StringBuilder out = new StringBuilder(13);
        if (alwaysIncludeHours || hours > 0) {
            appendPadded(out, hours, 2).append(':');
        }
        appendPadded(out, minutes, 2).append(':');
        appendPadded(out, secs, 2).append(decimalMarker);
        return appendPadded(out, ms, 3).toString();
    }

    /** SRT style: {@code HH:MM:SS,mmm}. */
    public static String srt(double seconds) {
        return format(seconds, true, ',');
    }

    /** VTT style: {@code [HH:]MM:SS.mmm}. */
    public static String vtt(double seconds) {
        return format(seconds, false, '.');
    }

    private static StringBuilder appendPadded(StringBuilder out, long value, int width) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(digits);
    }
}
