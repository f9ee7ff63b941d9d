package org.dqwhisper.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A value axis with "nice" bounds and ticks: linear axes step by 1, 2 or 5 × 10^k, logarithmic axes by whole
 * decades (with 2 and 5 in between when the range spans at most two decades). Degenerate input (no finite
 * value, a single value, all values equal) still gives a finite range of positive width.
 */
final class Axis {
    final double lo;
    final double hi;
    final boolean log;
    final double[] ticks;
    private final double step; // linear: the tick step; log: unused

    private Axis(double lo, double hi, boolean log, double[] ticks, double step) {
        this.lo = lo;
        this.hi = hi;
        this.log = log;
        this.ticks = ticks;
        this.step = step;
    }

    /** The smallest of 1, 2, 5 × 10^k that is ≥ {@code raw} (raw &gt; 0). */
    static double niceStep(double raw) {
        double exp = Math.floor(Math.log10(raw));
        double base = Math.pow(10, exp);
        double f = raw / base;
        double nice = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10;
        return nice * base;
    }

    /**
     * A linear axis covering [min, max] (non-finite bounds mean "no data": the axis becomes [0, 1]) with about
     * {@code targetTicks} ticks; {@code includeZero} extends the range to 0 (for bars).
     */
    static Axis linear(double min, double max, int targetTicks, boolean includeZero) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            min = 0;
            max = 1;
        }
        if (includeZero) {
            min = Math.min(min, 0);
            max = Math.max(max, 0);
        }
        if (min == max) { // one value (or all equal): a range around it
            double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
            if (includeZero) { // then the value is 0 itself
                max += pad;
            } else {
                min -= pad;
                max += pad;
            }
        }
        double span = max / targetTicks - min / targetTicks; // halves before subtracting: no overflow at ±MAX_VALUE
        double step = niceStep(span * (targetTicks / Math.max(1.0, targetTicks - 1)));
        if (!Double.isFinite(step) || step <= 0) step = Math.max(Math.ulp(max), Double.MIN_NORMAL);
        double lo = Math.floor(min / step) * step;
        double hi = Math.ceil(max / step) * step;
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) { // rounding outwards overflowed (|values| near MAX_VALUE)
            return new Axis(min, max, false, new double[] {min, max}, max / 2 - min / 2);
        }
        if (hi <= lo) hi = lo + step;
        List<Double> ticks = new ArrayList<>();
        long count = Math.round((hi - lo) / step);
        for (long i = 0; i <= count && i <= 1000; i++) ticks.add(lo + i * step);
        return new Axis(lo, hi, false, ticks.stream().mapToDouble(Double::doubleValue).toArray(), step);
    }

    /** A base-10 logarithmic axis covering the positive range [min, max] (no positive data: [1, 10]). */
    static Axis logarithmic(double min, double max) {
        if (!(min > 0) || !Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            min = 1;
            max = 10;
        }
        int d0 = (int) Math.floor(Math.log10(min) + 1e-12);
        int d1 = (int) Math.ceil(Math.log10(max) - 1e-12);
        if (d1 <= d0) d1 = d0 + 1;
        List<Double> ticks = new ArrayList<>();
        int every = Math.max(1, (d1 - d0 + 7) / 8); // at most ~8 labelled decades
        for (int d = d0; d <= d1; d++) {
            if ((d - d0) % every == 0) ticks.add(Math.pow(10, d));
            if (d1 - d0 <= 2 && d < d1) {
                ticks.add(2 * Math.pow(10, d));
                ticks.add(5 * Math.pow(10, d));
            }
        }
        return new Axis(Math.pow(10, d0), Math.pow(10, d1), true,
                ticks.stream().mapToDouble(Double::doubleValue).sorted().toArray(), Double.NaN);
    }

    /** Whether {@code v} can be placed on this axis (finite; positive on a log axis). */
    boolean accepts(double v) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    /** Maps a value to a pixel coordinate, lo at {@code p0} and hi at {@code p1}. */
    double map(double v, double p0, double p1) {
        double t = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
        return p0 + t * (p1 - p0);
    }

    /** A tick label with as many decimals as the step needs (no "-0", no float noise like 0.30000000000000004). */
    String label(double v) {
        if (log) {
            double a = Math.abs(v);
            if (a >= 1e-4 && a < 1e6) return plain(v, Math.max(0, (int) -Math.floor(Math.log10(a) + 1e-9)));
            return String.format(Locale.ROOT, "%.0e", v);
        }
        if (Math.abs(v) < step * 1e-6) v = 0;
        double m = Math.max(Math.abs(lo), Math.abs(hi));
        if (m >= 1e7 || step < 1e-6) return String.format(Locale.ROOT, "%.3g", v);
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return plain(v, decimals);
    }

    private static String plain(double v, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
    }
}
