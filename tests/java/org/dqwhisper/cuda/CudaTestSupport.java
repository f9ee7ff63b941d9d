package org.dqwhisper.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.dqwhisper.tensor.DType;

/** Shared pieces of the CUDA tests: 16-bit float codecs (IEEE round-to-nearest-even), data, checks. */
final class CudaTestSupport {
    private CudaTestSupport() {}

    static final String NO_GPU = "needs a CUDA device";

    // ---- F16 / BF16 --------------------------------------------------------------------------------------

    /** float -> IEEE binary16 bits, round to nearest even (overflow to infinity). */
    static short toF16(float f) {
        int sign = (Float.floatToRawIntBits(f) >>> 16) & 0x8000;
        if (Float.isNaN(f)) return (short) 0x7e00;
        double a = Math.abs((double) f);
        if (a >= 65520.0) return (short) (sign | 0x7c00);
        if (a < 0x1p-14) { // subnormal: multiples of 2^-24 (1024 rounds up into the smallest normal)
            return (short) (sign | (int) Math.rint(a * 0x1p24));
        }
        int e = Math.getExponent(a);
        double m = a / Math.scalb(1.0, e); // [1, 2), exact
        int q = (int) Math.rint((m - 1.0) * 1024.0);
        if (q == 1024) {
            q = 0;
            e++;
        }
        if (e + 15 >= 31) return (short) (sign | 0x7c00);
        return (short) (sign | ((e + 15) << 10) | q);
    }

    static float fromF16(short h) {
        int b = h & 0xffff, sign = b >>> 15, exp = (b >>> 10) & 0x1f, mant = b & 0x3ff;
        double v;
        if (exp == 0) v = mant * 0x1p-24;
        else if (exp == 31) v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        else v = (1.0 + mant / 1024.0) * Math.scalb(1.0, exp - 15);
        return (float) (sign == 1 ? -v : v);
    }

    /** float -> bfloat16 bits, round to nearest even. */
    static short toBf16(float f) {
        if (Float.isNaN(f)) return (short) 0x7fc0;
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    static float fromBf16(short h) {
        return Float.intBitsToFloat((h & 0xffff) << 16);
    }

    static short toHalf(DType dt, float f) {
        return dt == DType.F16 ? toF16(f) : toBf16(f);
    }

    static float fromHalf(DType dt, short h) {
        return dt == DType.F16 ? fromF16(h) : fromBf16(h);
    }

    /** Rounds {@code v} to {@code dt} in place and returns the bits. */
    static short[] encode(DType dt, float[] v) {
        short[] out = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = toHalf(dt, v[i]);
            v[i] = fromHalf(dt, out[i]);
        }
        return out;
    }

    static float[] decode(DType dt, short[] bits) {
        float[] out = new float[bits.length];
        for (int i = 0; i < bits.length; i++) out[i] = fromHalf(dt, bits[i]);
        return out;
    }

    /** Unit roundoff (half an ulp of 1) of a float type. */
    static double unitRoundoff(DType dt) {
        return dt == DType.F32 ? 0x1p-24 : dt == DType.F16 ? 0x1p-11 : 0x1p-8;
    }

    // ---- data -------------------------------------------------------------------------------------------

    static float[] floats(SplittableRandom r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return v;
    }

    static byte[] s8(SplittableRandom r, int n) {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) v[i] = (byte) r.nextInt(-128, 128);
        return v;
    }

    // ---- checks -----------------------------------------------------------------------------------------

    /** |got[i] - want[i]| <= tol[i] for all i; reports the first failure with its index. */
    static void assertWithin(String what, float[] got, double[] want, double[] tol) {
        if (got.length != want.length) fail(what + ": length " + got.length + " != " + want.length);
        for (int i = 0; i < got.length; i++) {
            double err = Math.abs(got[i] - want[i]);
            if (!(got[i] == want[i] || err <= tol[i])) {
                fail(what + ": element " + i + " got " + got[i] + " want " + want[i] + " (err " + err + " > tol " + tol[i] + ")");
            }
        }
    }

    /** Tolerance rel * |want| + abs for every element. */
    static double[] relTol(double[] want, double rel, double abs) {
        double[] t = new double[want.length];
        for (int i = 0; i < want.length; i++) t[i] = rel * Math.abs(want[i]) + abs;
        return t;
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    // ---- reference math ----------------------------------------------------------------------------------

    /** Exact-erf GELU. */
    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** erf to ~1e-15 (Abramowitz-Stegun 7.1.26 is too coarse here): series / continued fraction. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) { // Maclaurin series, converges quickly here
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 60; n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else { // erfc continued fraction (Lentz)
            double f = ax, c = ax, d = 0, tiny = 1e-300;
            for (int n = 1; n < 200; n++) {
                double an = n / 2.0;
                d = ax + an * d;
                d = d == 0 ? tiny : d;
                c = ax + an / c;
                c = c == 0 ? tiny : c;
                d = 1 / d;
                double delta = c * d;
                f *= delta;
                if (Math.abs(delta - 1) < 1e-16) break;
            }
            r = 1 - Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
        }
        return x < 0 ? -r : r;
    }

    /** d/dx GELU(x) = Phi(x) + x phi(x). */
    static double geluGrad(double x) {
        return 0.5 * (1 + erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }
}
