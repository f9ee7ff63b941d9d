package org.dqwhisper.quant;

import static org.dqwhisper.quant.QuantTestSupport.assertBitsEqual;
import static org.dqwhisper.quant.QuantTestSupport.forEachIsa;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dqwhisper.kernels.Int8Gemm;
import org.dqwhisper.kernels.NativeInt8Weights;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The native fake quantizer against the plain-Java reference of fake_quant.h's formulas (bit for
 * bit: every step is a specified float operation), on every ISA path, with awkward shapes (K = 1,
 * odd K, short tail groups); plus the INT8 GEMM equivalence and semantic bounds that do not depend
 * on the formulas being re-typed.
 */
class FakeQuantTest {
    private static final long SEED = 20261127L;
    /** n, k pairs: single element, odd sizes, a K tail shorter than every group size, one long row. */
    private static final int[][] SHAPES = {{1, 1}, {3, 17}, {5, 100}, {7, 129}, {2, 300}, {1, 1027}, {33, 64}};
    private static final String[] SPECS = {"w8", "w8c", "w8g32", "w4g64", "w4g128", "w3c", "w2g32", "w6",
        "w8:asym", "w4c:asym", "w5g32:asym", "w2:asym", "w8:signed-max", "w4c:signed-max", "w8g64:signed-max"};

    static List<QuantConfig> configs() {
        List<QuantConfig> out = new ArrayList<>();
        for (String s : SPECS) out.add(QuantConfig.parse(s));
        return out;
    }

    @Test
    void forwardScalesAndCodesMatchTheReferenceOnEveryPath() throws Exception {
        forEachIsa(isa -> {
            Random r = new Random(SEED);
            for (QuantConfig c : configs()) {
                for (int[] s : SHAPES) {
                    int n = s[0], k = s[1];
                    float[] w = QuantTestSupport.weights(r, n * k, 0.05);
                    if (c.signedMaxQuirk() && n * k > 4) w[1] = -3 * Math.abs(w[0]) - 0.5f; // a weight far below -max
                    FakeQuantReference.Result ref = FakeQuantReference.forwardFromData(w, n, k, c);
                    String ctx = isa + " " + c + " [" + n + "," + k + "]";
                    try (FakeQuant fq = FakeQuant.forWeights(c, n, k); Tensor wt = Tensor.of(w, n, k);
                            Tensor wq = Tensor.allocate(DType.F32, n, k)) {
                        fq.forward(wt, wq);
                        assertBitsEqual(ctx + " scales", ref.scale(), fq.scale().toFloatArray());
                        if (!c.symmetric()) assertBitsEqual(ctx + " zero points", ref.zero(), fq.zeroPoint().toFloatArray());
                        assertBitsEqual(ctx + " wq", ref.wq(), wq.toFloatArray());
                        if (!c.signedMaxQuirk()) {
                            try (Tensor codes = Tensor.allocate(c.symmetric() ? DType.S8 : DType.U8, n, k)) {
                                fq.codes(wt, codes);
                                byte[] b = codes.toByteArray();
                                for (int i = 0; i < b.length; i++) {
                                    int code = c.symmetric() ? b[i] : b[i] & 0xFF;
                                    assertEquals(ref.codes()[i], code, ctx + " code " + i);
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /** Independent of the formulas: every from-data grid covers its segment, so |w^ - w| <= scale/2. */
    @Test
    void roundingErrorIsAtMostHalfAStep() {
        Random r = new Random(SEED + 1);
        for (QuantConfig c : configs()) {
            if (c.signedMaxQuirk()) continue;
            int n = 9, k = 200;
            float[] w = QuantTestSupport.weights(r, n * k, 1.0);
            try (FakeQuant fq = FakeQuant.forWeights(c, n, k); Tensor wt = Tensor.of(w, n, k); Tensor wq = Tensor.allocate(DType.F32, n, k)) {
                fq.forward(wt, wq);
                float[] s = fq.scale().toFloatArray(), got = wq.toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    float step = s[FakeQuantReference.scaleIndex(c, k, i / k, i % k)];
                    // half a step, plus float rounding of w*inv and of (q - z)*scale (a few ulps of |w|)
                    double allowed = step / 2 * (1 + 1e-6) + 4 * Math.ulp(Math.abs(w[i]));
                    assertTrue(Math.abs(got[i] - w[i]) <= allowed, c + ": |w^ - w| = " + Math.abs(got[i] - w[i]) + " > " + allowed);
                }
            }
        }
    }

    /** Per-channel 8-bit symmetric is NativeInt8Weights.quantize; per-row activations are Int8Gemm.quantizeRows. */
    @Test
    void int8PerChannelWeightsAndActivationsMatchTheInt8Gemm() throws Exception {
        forEachIsa(isa -> {
            Random r = new Random(SEED + 2);
            for (int[] s : new int[][] {{1, 1}, {17, 31}, {64, 384}, {5, 1027}}) {
                int n = s[0], k = s[1];
                float[] w = QuantTestSupport.weights(r, n * k, 0.3);
                if (n > 2) java.util.Arrays.fill(w, k, 2 * k, 0f); // an all-zero row
                try (Tensor wt = Tensor.of(w, n, k); FakeQuant fq = FakeQuant.forWeights(QuantConfig.parse("w8ca8"), n, k);
                        Tensor wq = Tensor.allocate(DType.F32, n, k); Tensor xq = Tensor.allocate(DType.F32, n, k);
                        NativeInt8Weights int8 = NativeInt8Weights.quantize(wt);
                        Tensor q = Tensor.allocate(DType.S8, n, k); Tensor qs = Tensor.allocate(DType.F32, n)) {
                    fq.forward(wt, wq);
                    FakeQuant.activations(wt, xq);
                    Int8Gemm.quantizeRows(wt, q, qs);
                    assertBitsEqual(isa + " scales vs NativeInt8Weights", int8.scales(), fq.scale().toFloatArray());
                    byte[] qb = q.toByteArray();
                    float[] sc = qs.toFloatArray(), expect = new float[n * k];
                    for (int i = 0; i < n * k; i++) expect[i] = qb[i] * sc[i / k];
                    assertBitsEqual(isa + " weights vs q*scale of quantizeRows", expect, wq.toFloatArray());
                    assertBitsEqual(isa + " activations vs q*scale of quantizeRows", expect, xq.toFloatArray());
                    try (Tensor codes = Tensor.allocate(DType.S8, n, k)) {
                        fq.codes(wt, codes);
                        assertArrayEquals(qb, codes.toByteArray(), isa + " codes");
                    }
                }
            }
        });
    }

    @Test
    void activationsTakeAnyLeadingShapeAndWorkInPlace() {
        Random r = new Random(SEED + 3);
        float[] x = QuantTestSupport.uniform(r, 2 * 3 * 10, -4, 4);
        try (Tensor xt = Tensor.of(x, 2, 3, 10); Tensor flat = Tensor.of(x, 6, 10); Tensor ref = Tensor.allocate(DType.F32, 6, 10)) {
            FakeQuant.activations(flat, ref);
            FakeQuant.activations(xt, xt);
            assertBitsEqual("in place on [2,3,10]", ref.toFloatArray(), xt.toFloatArray());
        }
    }

    @Test
    void steBackwardPassesWhereTheClampDidNotAct() throws Exception {
        forEachIsa(isa -> {
            Random r = new Random(SEED + 4);
            for (QuantConfig c : configs()) {
                int n = 6, k = 129;
                float[] w = QuantTestSupport.weights(r, n * k, 0.1), dq = QuantTestSupport.uniform(r, n * k, -1, 1);
                float[] prior = QuantTestSupport.uniform(r, n * k, -1, 1);
                FakeQuantReference.Result ref = FakeQuantReference.forwardFromData(w, n, k, c);
                float[] expect = FakeQuantReference.steBackward(w, n, k, c, ref.inv(), ref.zero(), dq);
                // scales from the data cover the data: nothing clips
                assertBitsEqual(c + " reference passes everything", dq, expect);
                try (FakeQuant fq = FakeQuant.forWeights(c, n, k); Tensor wt = Tensor.of(w, n, k); Tensor wq = Tensor.allocate(DType.F32, n, k);
                        Tensor dqt = Tensor.of(dq, n, k); Tensor dw = Tensor.of(prior, n, k)) {
                    fq.forward(wt, wq);
                    fq.backward(wt, dqt, dw, true);
                    float[] acc = new float[n * k];
                    for (int i = 0; i < acc.length; i++) acc[i] = prior[i] + expect[i];
                    assertBitsEqual(isa + " " + c + " accumulated", acc, dw.toFloatArray());
                    fq.backward(wt, dqt, dqt, false); // in place
                    assertBitsEqual(isa + " " + c + " in place", expect, dqt.toFloatArray());
                }
            }
        });
    }

    /** LSQ with scales small enough that many weights clip: dw by the strict mask, dscale by LSQ's formula. */
    @Test
    void lsqGradientsMatchTheReferenceAndAgreeAcrossPaths() throws Exception {
        for (String spec : new String[] {"w8:lsq", "w4c:lsq", "w4g32:lsq", "w2g64:lsq", "w3g128:lsq"}) {
            QuantConfig c = QuantConfig.parse(spec);
            int n = 7, k = 300;
            Random r = new Random(SEED + 5);
            float[] w = QuantTestSupport.weights(r, n * k, 0.1), dq = QuantTestSupport.uniform(r, n * k, -1, 1);
            float[] prior = QuantTestSupport.uniform(r, n * k, -1, 1);
            List<float[]> perIsa = new ArrayList<>();
            forEachIsa(isa -> {
                try (FakeQuant fq = FakeQuant.forWeights(c, n, k); Tensor wt = Tensor.of(w, n, k); Tensor wq = Tensor.allocate(DType.F32, n, k);
                        Tensor dqt = Tensor.of(dq, n, k); Tensor dw = Tensor.allocate(DType.F32, n, k)) {
                    float[] s = new float[fq.scale().toFloatArray().length];
                    // Q*s between 0.16 and 0.24 against weights of sigma 0.1 (with x8 outliers): a share clips
                    for (int i = 0; i < s.length; i++) s[i] = 0.2f / c.qmax() * (0.8f + 0.1f * (i % 5));
                    fq.scale().copyFrom(s);
                    fq.forward(wt, wq);
                    FakeQuantReference.Result ref = FakeQuantReference.forwardGiven(w, n, k, c, s);
                    assertBitsEqual(isa + " " + c + " forward", ref.wq(), wq.toFloatArray());
                    fq.backward(wt, dqt, dw, false);
                    float[] expectDw = FakeQuantReference.lsqDw(w, n, k, c, ref.inv(), dq);
                    assertBitsEqual(isa + " " + c + " dw", expectDw, dw.toFloatArray());
                    int clipped = 0;
                    for (int i = 0; i < expectDw.length; i++) if (expectDw[i] == 0f && dq[i] != 0f) clipped++;
                    assertTrue(clipped > n * k / 100, c + ": the test needs clipped weights, got " + clipped);
                    double[][] g = FakeQuantReference.lsqScaleGrad(w, n, k, c, ref.inv(), dq);
                    float[] ds = fq.scaleGrad().toFloatArray();
                    for (int i = 0; i < ds.length; i++) {
                        // exact products summed in double in another order (relative 1e-12 of the sum of |terms|),
                        // then one rounding to float (2^-24 relative, 2^-23 allowed)
                        double tol = 1e-12 * g[1][i] + Math.abs(g[0][i]) * 0x1p-23;
                        assertEquals(g[0][i], ds[i], tol, isa + " " + c + " dscale[" + i + "]");
                    }
                    fq.scaleGrad().copyFrom(java.util.Arrays.copyOf(prior, ds.length));
                    fq.backward(wt, dqt, dw, true);
                    float[] ds2 = fq.scaleGrad().toFloatArray();
                    for (int i = 0; i < ds2.length; i++) {
                        assertEquals(prior[i] + g[0][i], ds2[i], 1e-12 * g[1][i] + Math.abs(prior[i] + g[0][i]) * 0x1p-23 + Math.ulp(prior[i]),
                                isa + " " + c + " accumulated dscale[" + i + "]");
                    }
                    perIsa.add(ds);
                }
            });
            for (float[] ds : perIsa) assertBitsEqual(c + ": dscale identical on every path", perIsa.get(0), ds);
        }
    }

    /** LSQ's initialisation, 2·mean|w|/sqrt(Q) per segment, on numbers worked by hand. */
    @Test
    void lsqInitialScaleIsTwiceTheMeanMagnitudeOverSqrtQ() {
        float[] w = {1, -1, 2, -2, 0, 0, 0, 3};
        try (FakeQuant t = FakeQuant.forWeights(QuantConfig.parse("w4:lsq"), 2, 4);
                FakeQuant g = FakeQuant.forWeights(QuantConfig.parse("w4g2:lsq"), 2, 4); Tensor wt = Tensor.of(w, 2, 4)) {
            t.initScale(wt);
            assertEquals((float) (2 * 9.0 / 8 / Math.sqrt(7)), t.scale().toFloatArray()[0]);
            g.initScale(wt);
            assertArrayEquals(new float[] {(float) (2 / Math.sqrt(7)), (float) (4 / Math.sqrt(7)), Float.MIN_NORMAL,
                (float) (3 / Math.sqrt(7))}, g.scale().toFloatArray());
        }
    }

    @Test
    void resultsAreThreadInvariant() throws Exception {
        Random r = new Random(SEED + 6);
        int n = 37, k = 333;
        float[] w = QuantTestSupport.weights(r, n * k, 0.1), dq = QuantTestSupport.uniform(r, n * k, -1, 1);
        forEachIsa(isa -> {
            for (String spec : new String[] {"w8", "w4g64:asym", "w4g32:lsq", "w8:lsq"}) {
                QuantConfig c = QuantConfig.parse(spec);
                QuantTestSupport.assertThreadInvariant(isa + " " + spec, () -> {
                    try (FakeQuant fq = FakeQuant.forWeights(c, n, k); Tensor wt = Tensor.of(w, n, k); Tensor wq = Tensor.allocate(DType.F32, n, k);
                            Tensor dqt = Tensor.of(dq, n, k); Tensor dw = Tensor.allocate(DType.F32, n, k)) {
                        if (c.estimator() == QuantConfig.Estimator.LSQ) fq.initScale(wt);
                        fq.forward(wt, wq);
                        fq.backward(wt, dqt, dw, false);
                        float[] a = wq.toFloatArray(), b = dw.toFloatArray();
                        float[] s = c.estimator() == QuantConfig.Estimator.LSQ ? fq.scaleGrad().toFloatArray() : fq.scale().toFloatArray();
                        float[] all = java.util.Arrays.copyOf(a, a.length + b.length + s.length);
                        System.arraycopy(b, 0, all, a.length, b.length);
                        System.arraycopy(s, 0, all, a.length + b.length, s.length);
                        return all;
                    }
                });
            }
        });
    }

    /** The authors' quantizer: scale from the signed max, and no clamp (codes beyond -Q, gradient everywhere). */
    @Test
    void signedMaxQuirkDoesNotClamp() {
        QuantConfig c = QuantConfig.parse("w8:signed-max");
        float[] w = {-2f, 1f, 0.5f, -0.25f};
        try (FakeQuant fq = FakeQuant.forWeights(c, 2, 2); Tensor wt = Tensor.of(w, 2, 2); Tensor wq = Tensor.allocate(DType.F32, 2, 2);
                Tensor d = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2); Tensor dw = Tensor.allocate(DType.F32, 2, 2)) {
            fq.forward(wt, wq);
            assertEquals(1f / 127, fq.scale().toFloatArray()[0]); // m = max(W) = 1, not max|W| = 2
            assertEquals(-254 * (1f / 127), wq.toFloatArray()[0]); // -2 lands at code -254, beyond -127
            fq.backward(wt, d, dw, false);
            assertArrayEquals(new float[] {1, 2, 3, 4}, dw.toFloatArray());
            try (Tensor codes = Tensor.allocate(DType.S8, 2, 2)) {
                assertThrows(IllegalStateException.class, () -> fq.codes(wt, codes));
            }
        }
    }

    @Test
    void allZeroSegmentsQuantizeToZero() {
        for (String spec : new String[] {"w8", "w8c", "w4g32:asym", "w8:signed-max"}) {
            QuantConfig c = QuantConfig.parse(spec);
            float[] w = new float[2 * 40];
            w[79] = 0.75f; // row 1, second group: the other segments are all zero
            try (FakeQuant fq = FakeQuant.forWeights(c, 2, 40); Tensor wt = Tensor.of(w, 2, 40); Tensor wq = Tensor.allocate(DType.F32, 2, 40)) {
                fq.forward(wt, wq);
                float[] got = wq.toFloatArray();
                for (int i = 0; i < 79; i++) assertEquals(0f, got[i], spec + " element " + i);
                assertEquals(0.75f, got[79], 0.75f / c.qmax(), spec + " the non-zero weight");
                if (c.granularity() != QuantConfig.Granularity.PER_TENSOR) assertEquals(0f, fq.scale().toFloatArray()[0], spec);
            }
        }
    }
}
