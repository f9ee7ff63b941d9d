package org.dqwhisper.quant;

import org.dqwhisper.quant.QuantConfig.Granularity;

/**
 * Plain-Java reference of the fake quantizer, written from the formulas in fake_quant.h (float where
 * the kernel is specified in float, so forward results compare bit for bit; the LSQ scale gradient in
 * plain double summation).
 */
final class FakeQuantReference {
    private FakeQuantReference() {}

    /** Scales, inverse scales, zero points (per scale index) and the forward of one weight. */
    record Result(float[] wq, float[] scale, float[] inv, float[] zero, int[] codes) {}

    static int scaleIndex(QuantConfig c, int k, int row, int col) {
        return switch (c.granularity()) {
            case PER_TENSOR -> 0;
            case PER_CHANNEL -> row;
            case PER_GROUP -> row * groupsPerRow(c, k) + col / (int) c.segmentLength(k);
        };
    }

    static int groupsPerRow(QuantConfig c, int k) {
        int g = (int) c.segmentLength(k);
        return (k + g - 1) / g;
    }

    static int numScales(QuantConfig c, int n, int k) {
        return c.granularity() == Granularity.PER_TENSOR ? 1 : c.granularity() == Granularity.PER_CHANNEL ? n : n * groupsPerRow(c, k);
    }

    static float lo(QuantConfig c) {
        if (c.signedMaxQuirk()) return Float.NEGATIVE_INFINITY;
        return c.symmetric() ? -c.qmax() : 0f;
    }

    static float hi(QuantConfig c) {
        return c.signedMaxQuirk() ? Float.POSITIVE_INFINITY : c.qmax();
    }

    /** Forward with scales computed from the weights (the STE estimator). */
    static Result forwardFromData(float[] w, int n, int k, QuantConfig c) {
        int ns = numScales(c, n, k);
        float[] mn = new float[ns], mx = new float[ns];
        java.util.Arrays.fill(mn, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(mx, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < n; r++) {
            for (int col = 0; col < k; col++) {
                int i = scaleIndex(c, k, r, col);
                mn[i] = Math.min(mn[i], w[r * k + col]);
                mx[i] = Math.max(mx[i], w[r * k + col]);
            }
        }
        float[] scale = new float[ns], inv = new float[ns], zero = new float[ns];
        float q = c.qmax();
        for (int i = 0; i < ns; i++) {
            float iv, sc, z = 0f;
            if (c.signedMaxQuirk()) {
                iv = q / mx[i];
                sc = mx[i] / q;
            } else if (c.symmetric()) {
                float amax = Math.max(Math.abs(mn[i]), Math.abs(mx[i]));
                iv = q / amax;
                sc = amax / q;
            } else {
                float lo = Math.min(mn[i], 0f), hi = Math.max(mx[i], 0f), range = hi - lo;
                iv = q / range;
                sc = range / q;
                z = (float) Math.rint(-lo * iv);
                z = Math.max(0f, Math.min(q, z));
            }
            if (!(Math.abs(iv) <= Float.MAX_VALUE)) iv = sc = z = 0f;
            scale[i] = sc;
            inv[i] = iv;
            zero[i] = z;
        }
        return apply(w, n, k, c, scale, inv, zero);
    }

    /** Forward with given (learned) scales: inv = 1/scale. */
    static Result forwardGiven(float[] w, int n, int k, QuantConfig c, float[] scale) {
        float[] inv = new float[scale.length];
        for (int i = 0; i < scale.length; i++) inv[i] = 1f / scale[i];
        return apply(w, n, k, c, scale, inv, new float[scale.length]);
    }

    private static Result apply(float[] w, int n, int k, QuantConfig c, float[] scale, float[] inv, float[] zero) {
        float[] wq = new float[n * k];
        int[] codes = new int[n * k];
        float lo = lo(c), hi = hi(c);
        for (int r = 0; r < n; r++) {
            for (int col = 0; col < k; col++) {
                int i = scaleIndex(c, k, r, col);
                float qv = (float) Math.rint(w[r * k + col] * inv[i]) + zero[i];
                qv = qv < lo ? lo : (qv > hi ? hi : qv);
                wq[r * k + col] = (qv - zero[i]) * scale[i];
                codes[r * k + col] = (int) qv;
            }
        }
        return new Result(wq, scale, inv, zero, codes);
    }

    /** STE with clipping: dw = dq where lo <= rint(w*inv) + zero <= hi. */
    static float[] steBackward(float[] w, int n, int k, QuantConfig c, float[] inv, float[] zero, float[] dq) {
        float[] dw = new float[n * k];
        for (int r = 0; r < n; r++) {
            for (int col = 0; col < k; col++) {
                int i = scaleIndex(c, k, r, col);
                float qv = (float) Math.rint(w[r * k + col] * inv[i]) + zero[i];
                dw[r * k + col] = qv >= lo(c) && qv <= hi(c) ? dq[r * k + col] : 0f;
            }
        }
        return dw;
    }

    /** LSQ: dw = dq where -Q < v < Q (v = w*inv unrounded), else 0. */
    static float[] lsqDw(float[] w, int n, int k, QuantConfig c, float[] inv, float[] dq) {
        float[] dw = new float[n * k];
        float q = c.qmax();
        for (int e = 0; e < n * k; e++) {
            float v = w[e] * inv[scaleIndex(c, k, e / k, e % k)];
            dw[e] = v > -q && v < q ? dq[e] : 0f;
        }
        return dw;
    }

    /**
     * LSQ scale gradient (Esser et al. 2020, eq. 3 with the gradient scale g = 1/sqrt(count·Q)) in
     * double, plus per scale the sum of |terms| (for the tolerance).
     */
    static double[][] lsqScaleGrad(float[] w, int n, int k, QuantConfig c, float[] inv, float[] dq) {
        int ns = numScales(c, n, k);
        double[] sum = new double[ns], abs = new double[ns], count = new double[ns];
        double q = c.qmax();
        for (int e = 0; e < n * k; e++) {
            int i = scaleIndex(c, k, e / k, e % k);
            double v = (double) (w[e] * inv[i]); // the kernel's float product, then exact math
            double term = v <= -q ? -q : v >= q ? q : Math.rint(v) - v;
            sum[i] += dq[e] * term;
            abs[i] += Math.abs(dq[e] * term);
            count[i]++;
        }
        for (int i = 0; i < ns; i++) {
            double g = 1.0 / Math.sqrt(count[i] * q);
            sum[i] *= g;
            abs[i] *= g;
        }
        return new double[][] {sum, abs};
    }
}
