package org.dqwhisper.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AxisTest {
    /** Bounds and ticks are finite, strictly increasing, and the ticks lie within the bounds. */
    private static void assertSane(Axis a) {
        assertTrue(Double.isFinite(a.lo) && Double.isFinite(a.hi) && a.lo < a.hi, a.lo + ".." + a.hi);
        assertTrue(a.ticks.length >= 2, "ticks " + a.ticks.length);
        for (int i = 0; i < a.ticks.length; i++) {
            assertTrue(Double.isFinite(a.ticks[i]));
            assertTrue(a.ticks[i] >= a.lo && a.ticks[i] <= a.hi, "tick " + a.ticks[i] + " outside " + a.lo + ".." + a.hi);
            if (i > 0) assertTrue(a.ticks[i] > a.ticks[i - 1]);
        }
    }

    @Test
    void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(1, Axis.niceStep(0.7), 1e-12);
        assertEquals(2, Axis.niceStep(1.3), 1e-12);
        assertEquals(5, Axis.niceStep(2.01), 1e-12);
        assertEquals(10, Axis.niceStep(5.5), 1e-12);
        assertEquals(0.05, Axis.niceStep(0.031), 1e-15);
        assertEquals(2000, Axis.niceStep(2000), 1e-9);
    }

    @Test
    void linearAxisCoversTheDataWithNiceTicks() {
        Axis a = Axis.linear(0.13, 9.7, 6, false);
        assertSane(a);
        assertEquals(0, a.lo, 0);
        assertEquals(10, a.hi, 0);
        assertArrayEquals(new double[] {0, 2, 4, 6, 8, 10}, a.ticks, 1e-12);
        assertEquals("4", a.label(4));
        Axis b = Axis.linear(0, 0.3, 6, false);
        assertEquals(0.1, b.ticks[1] - b.ticks[0], 1e-12);
        assertEquals("0.3", b.label(0.1 + 0.2)); // no float noise (0.30000000000000004)
        assertEquals("0.0", Axis.linear(-1, 1, 5, false).label(-1e-17)); // not "-0.0"
    }

    @Test
    void barAxesIncludeZero() {
        Axis a = Axis.linear(12, 30, 6, true);
        assertEquals(0, a.lo, 0);
        assertTrue(a.hi >= 30);
        Axis neg = Axis.linear(-7, -2, 6, true);
        assertTrue(neg.lo <= -7);
        assertEquals(0, neg.hi, 0);
    }

    @Test
    void degenerateRangesGiveFiniteAxes() {
        assertSane(Axis.linear(3, 3, 6, false)); // all values equal
        Axis equal = Axis.linear(3, 3, 6, false);
        assertTrue(equal.lo < 3 && equal.hi > 3);
        assertSane(Axis.linear(0, 0, 6, false));
        assertSane(Axis.linear(0, 0, 6, true));
        assertSane(Axis.linear(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 6, false)); // no data
        assertSane(Axis.linear(Double.NaN, 5, 6, false));
        assertSane(Axis.linear(1e-300, 2e-300, 6, false));
        assertSane(Axis.linear(-Double.MAX_VALUE, Double.MAX_VALUE, 6, false));
        assertSane(Axis.linear(1e12, 1e12 + 1, 6, false));
        assertSane(Axis.logarithmic(5, 5));
        assertSane(Axis.logarithmic(0, 10)); // no positive minimum
        assertSane(Axis.logarithmic(Double.NaN, Double.NaN));
    }

    @Test
    void logAxisUsesDecades() {
        Axis a = Axis.logarithmic(0.03, 4000);
        assertSane(a);
        assertEquals(0.01, a.lo, 1e-15);
        assertEquals(1e4, a.hi, 1e-9);
        for (double t : a.ticks) assertEquals(Math.rint(Math.log10(t)), Math.log10(t), 1e-9, "tick " + t);
        Axis narrow = Axis.logarithmic(1.5, 40); // two decades: 2 and 5 in between
        assertArrayEquals(new double[] {1, 2, 5, 10, 20, 50, 100}, narrow.ticks, 1e-9);
        assertEquals(0.5, narrow.map(Math.sqrt(1 * 100), 0, 1), 1e-12);
        assertTrue(!narrow.accepts(0) && !narrow.accepts(-1) && narrow.accepts(3));
    }
}
