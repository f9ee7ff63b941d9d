package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.CudaTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The test-side F16/BF16 codecs and erf that the GPU references rely on (checked without a device). */
class CudaTestSupportTest {
    @Test
    void knownF16Values() {
        assertEquals(0x3c00, toF16(1.0f) & 0xffff);
        assertEquals(0xc000, toF16(-2.0f) & 0xffff);
        assertEquals(0x3555, toF16(1.0f / 3) & 0xffff);
        assertEquals(0x7bff, toF16(65504f) & 0xffff);
        assertEquals(0x7bff, toF16(65519f) & 0xffff);
        assertEquals(0x7c00, toF16(65520f) & 0xffff); // the tie rounds to even: infinity
        assertEquals(0x0001, toF16(0x1p-24f) & 0xffff);
        assertEquals(0x0000, toF16(0x1p-25f) & 0xffff); // tie to even (0)
        assertEquals(0x0002, toF16(0x1.8p-24f) & 0xffff); // 1.5 ulp: tie to even (2)
        assertEquals(0x0400, toF16(0x1p-14f) & 0xffff);
        assertEquals(0x3c00, toF16(1.0f + 0x1p-11f) & 0xffff); // tie between 1 and 1+2^-10: even
        assertEquals(0x3c02, toF16(1.0f + 0x3p-11f) & 0xffff); // tie between 1+2^-10 and 1+2^-9: even
    }

    @Test
    void everyF16BitPatternRoundTrips() {
        for (int b = 0; b < 65536; b++) {
            int exp = (b >>> 10) & 0x1f, mant = b & 0x3ff;
            if (exp == 31 && mant != 0) continue; // NaN payloads
            float f = fromF16((short) b);
            assertEquals(b, toF16(f) & 0xffff, "bits " + Integer.toHexString(b) + " = " + f);
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(0x3f80, toBf16(1.0f) & 0xffff);
        assertEquals(0x3f80, toBf16(Float.intBitsToFloat(0x3f808000)) & 0xffff); // tie, even below
        assertEquals(0x3f82, toBf16(Float.intBitsToFloat(0x3f818000)) & 0xffff); // tie, even above
        assertEquals(0x3f81, toBf16(Float.intBitsToFloat(0x3f808001)) & 0xffff);
        for (int b = 0; b < 65536; b += 7) {
            if (((b >>> 7) & 0xff) == 0xff && (b & 0x7f) != 0) continue;
            assertEquals(b, toBf16(fromBf16((short) b)) & 0xffff);
        }
    }

    @Test
    void erfMatchesKnownValues() {
        // values of erf to 16 digits (tables / mpmath); the reference must be far better than float
        double[][] known = {{0.5, 0.5204998778130465}, {1.0, 0.8427007929497149}, {2.0, 0.9953222650189527},
            {3.0, 0.9999779095030014}, {-1.5, -0.9661051464753108}, {0.0, 0.0}, {6.0, 1.0}};
        for (double[] kv : known) assertEquals(kv[1], erf(kv[0]), 1e-14, "erf(" + kv[0] + ")");
        assertEquals(0.8413447460685429 * 1.0, gelu(1.0), 1e-14);
    }
}
