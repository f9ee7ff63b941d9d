package org.dqwhisper.decode.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PythonJsonTextTest {
    @Test
    void reprOfKnownValues() {
        // each pair is (value, Python's repr of it)
        Object[][] table = {
            {0.1, "0.1"}, {0.1 + 0.2, "0.30000000000000004"}, {1.0 / 3, "0.3333333333333333"},
            {2.0 / 3, "0.6666666666666666"}, {1e22, "1e+22"}, {Double.MAX_VALUE, "1.7976931348623157e+308"},
            {Double.MIN_VALUE, "5e-324"}, {Double.MIN_NORMAL, "2.2250738585072014e-308"},
            {123456789012345680.0, "1.2345678901234568e+17"}, {1e15, "1000000000000000.0"}, {1e16, "1e+16"},
            {9007199254740993.0, "9007199254740992.0"}, {0.00012345, "0.00012345"}, {0.000012345, "1.2345e-05"},
            {-1.5, "-1.5"}, {100.0, "100.0"}, {Math.scalb(1.0, -44), "5.684341886080802e-14"},
            {Math.scalb(1.0, 60), "1.152921504606847e+18"}, {0.001, "0.001"}, {1e-4, "0.0001"},
            {-2.5e-7, "-2.5e-07"}, {59.9995, "59.9995"}, {Math.scalb(1.0, -20), "9.5367431640625e-07"},
            {4.35, "4.35"}, {0.0, "0.0"}, {-0.0, "-0.0"}, {1.0, "1.0"}, {2.5, "2.5"}, {1e100, "1e+100"},
        };
        for (Object[] row : table) {
            assertEquals(row[1], PythonJsonText.repr((Double) row[0]), "repr of " + row[0]);
        }
    }

    @Test
    void reprIsShortestAndRoundTrips() {
        Random rnd = new Random(3);
        for (int i = 0; i < 3000; i++) {
            double d = i % 2 == 0 ? Double.longBitsToDouble(rnd.nextLong()) : rnd.nextDouble() * 1000 - 500;
            if (!Double.isFinite(d)) {
                continue;
            }
            String r = PythonJsonText.repr(d);
            assertEquals(d, Double.parseDouble(r), r);
            BigDecimal digits = new BigDecimal(r).stripTrailingZeros();
            int p = digits.precision();
            if (p > 1 && d != 0) {
                // no decimal with one digit fewer may read back as d: check both neighbours of the exact value
                BigDecimal exact = new BigDecimal(d);
                for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
                    BigDecimal shorter = exact.round(new MathContext(p - 1, mode));
                    assertNotEquals(d, Double.parseDouble(shorter.toString()), r + " could be " + shorter);
                }
            }
        }
    }

    @Test
    void stringEscapesLikeEnsureAscii() {
        StringBuilder out = new StringBuilder();
        PythonJsonText.appendString(out, "a\"b\\c\n\t\u0000\u001f~\u007f\u00e9\u20ac\ud83c\udf89/");
        assertEquals("\"a\\\"b\\\\c\\n\\t\\u0000\\u001f~\\u007f\\u00e9\\u20ac\\ud83c\\udf89/\"", out.toString());
    }

    @Test
    void nonFiniteFloatsUsePythonJsonSpellings() {
        assertEquals("NaN", PythonJsonText.appendFloat(new StringBuilder(), Double.NaN).toString());
        assertEquals("Infinity", PythonJsonText.appendFloat(new StringBuilder(), Double.POSITIVE_INFINITY).toString());
        assertEquals("-Infinity", PythonJsonText.appendFloat(new StringBuilder(), Double.NEGATIVE_INFINITY).toString());
    }
}
