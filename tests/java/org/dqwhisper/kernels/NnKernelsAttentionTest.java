package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.NnTestSupport.assertClose;
import static org.dqwhisper.kernels.NnTestSupport.assertThreadInvariant;
import static org.dqwhisper.kernels.NnTestSupport.dot;
import static org.dqwhisper.kernels.NnTestSupport.forEachIsa;
import static org.dqwhisper.kernels.NnTestSupport.gaussian;
import static org.dqwhisper.kernels.NnTestSupport.maxAbs;
import static org.dqwhisper.kernels.NnTestSupport.numericGradient;
import static org.dqwhisper.kernels.NnTestSupport.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dqwhisper.kernels.NnReference.Attn;
import org.dqwhisper.kernels.NnTestSupport.Tensors;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Flash-style attention forward and backward against the naive materialised FP64
 * softmax(Q K^T / sqrt(Dh)) V, on every ISA path.
 *
 * <p>Tolerances: q, k, v ~ N(0,1), so scores ~ N(0,1) and every output is a convex combination of
 * v values (|v| < 5). The float kernel rounds the Dh-term dot products (~sqrt(Dh) ulp of |q||k|),
 * exp (1 ulp), the online-softmax rescaling and the sums over Tk keys; measured errors stay below
 * 1.3e-6 absolute on out and lse up to Tk = 1500. The bounds used are 3e-6 (forward) and 2e-6 of
 * the gradient scale (backward, which adds the rowsum(dout * out) term and sums over Tq queries for
 * dk/dv; measured 6e-7 of it).
 */
class NnKernelsAttentionTest {

    /** {B, Bk, Tq, Tk, heads, Dh, causalOffset}. */
    private static final long[][] CASES = {
        {1, 1, 1, 1, 1, 64, -1},    // one query, one key
        {2, 2, 5, 5, 2, 16, 0},     // causal prompt
        {2, 2, 13, 13, 3, 24, 0},   // odd head dim
        {3, 1, 4, 9, 2, 8, -1},     // K/V shared by 3 batch rows (beams), no mask
        {2, 2, 1, 70, 2, 64, 69},   // decoding one token after a cache of 69
        {3, 1, 3, 70, 2, 64, 67},   // shared cache, 3 new tokens, causal
        {1, 1, 100, 130, 1, 64, 30},// causal with offset, several row blocks and key tiles
        {2, 2, 33, 97, 1, 64, -1},  // tails in rows and keys
        {1, 1, 65, 65, 2, 17, 0},   // crosses the 64-key tile
        {1, 1, 9, 20, 1, 256, -1},  // the largest head dim
        {1, 1, 3, 4, 2, 1, 1},      // head dim 1
        {2, 1, 40, 37, 3, 24, -1},  // shared K/V, rows of two batches in one block
        {1, 1, 75, 75, 2, 60, -1},  // head dim 60 (d = 120, 2 heads): a masked last vector in the value sums
        {2, 2, 70, 70, 1, 80, 0},   // head dim 80: one full 64-float chunk and a tail, causal across tiles
        {1, 1, 7, 150, 2, 33, 140}, // causal offset: rows end in different key tiles
    };

    private static Attn attn(long[] c) {
        return new Attn((int) c[0], (int) c[1], (int) c[2], (int) c[3], (int) c[4], (int) c[5], c[6]);
    }

    private static final class Problem {
        final Attn a;
        final float[] q, k, v, dout;

        Problem(Attn a, long seed) {
            this.a = a;
            SplittableRandom rnd = new SplittableRandom(seed);
            q = gaussian(rnd, a.b() * a.tq() * a.hd(), 1);
            k = gaussian(rnd, a.bk() * a.tk() * a.hd(), 1);
            v = gaussian(rnd, a.bk() * a.tk() * a.hd(), 1);
            dout = gaussian(rnd, q.length, 1);
        }
    }

    @Test
    void forwardMatchesNaiveAttention() throws Exception {
        for (long[] c : CASES) checkForward(new Problem(attn(c), Arrays.hashCode(c)), 3e-6);
    }

    @Test
    void forwardMatchesNaiveAttentionAtEncoderLength() throws Exception {
        // Whisper's encoder length with Dh = 64, no mask: 24 key tiles and 47 row blocks per head
        checkForward(new Problem(new Attn(1, 1, 1500, 1500, 1, 64, -1), 7), 3e-6);
    }

    private static void checkForward(Problem p, double tol) throws Exception {
        checkForward(p, tol, false);
    }

    /** Forward (or {@link NnKernels#attentionRowwise}) against the FP64 reference, with and without lse, every ISA. */
    private static void checkForward(Problem p, double tol, boolean rowwise) throws Exception {
        Attn a = p.a;
        double[] lse = new double[a.b() * a.heads() * a.tq()];
        double[] out = NnReference.attention(a, toDouble(p.q), toDouble(p.k), toDouble(p.v), lse);
        try (Tensors t = new Tensors()) {
            Tensor q = t.of(p.q, a.b(), a.tq(), a.hd()), k = t.of(p.k, a.bk(), a.tk(), a.hd()), v = t.of(p.v, a.bk(), a.tk(), a.hd());
            Tensor o = t.zeros(a.b(), a.tq(), a.hd()), l = t.zeros(a.b(), a.heads(), a.tq());
            forEachIsa(isa -> {
                String what = (rowwise ? "rowwise attention " : "attention ") + a + " " + isa;
                if (rowwise) NnKernels.attentionRowwise(q, k, v, a.heads(), a.causalOffset(), o, l);
                else NnKernels.attention(q, k, v, a.heads(), a.causalOffset(), o, l);
                assertClose(what + " out", out, o.toFloatArray(), tol, 0);
                assertClose(what + " lse", lse, l.toFloatArray(), tol, 1e-6);
                if (rowwise) NnKernels.attentionRowwise(q, k, v, a.heads(), a.causalOffset(), o, null);  // lse is optional
                else NnKernels.attention(q, k, v, a.heads(), a.causalOffset(), o, null);
                assertClose(what + " out without lse", out, o.toFloatArray(), tol, 0);
            });
        }
    }

    @Test
    void rowwiseForwardMatchesNaiveAttention() throws Exception {
        // the same FP64 reference and bound as the forward: each row takes the one-row path, whose rounding is
        // that of a decoding step (measured within the same 1.3e-6)
        for (long[] c : CASES) checkForward(new Problem(attn(c), 7 * Arrays.hashCode(c)), 3e-6, true);
    }

    /** {Tq, Tk, heads, Dh, causalOffset}: several query rows over one K/V (B = 1). */
    private static final long[][] ROWWISE = {
        {5, 1500, 6, 64, -1},  // the 5 beams of one window in tiny's cross-attention
        {2, 375, 2, 60, -1},   // head dim 60: masked value tails
        {40, 97, 3, 16, -1},   // more rows than one 32-row work item, key tail
        {3, 130, 1, 256, -1},  // the largest head dim, three key tiles
        {7, 70, 2, 33, 63},    // causal rows: row r sees keys <= 63 + r
        {1, 9, 1, 8, -1},      // a single row: the plain decoding step
    };

    @Test
    void rowwiseRowsAreTheOneRowCallsBitForBit() throws Exception {
        for (long[] c : ROWWISE) {
            int tq = (int) c[0], tk = (int) c[1], heads = (int) c[2], dh = (int) c[3], hd = heads * dh;
            long causal = c[4];
            SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(c));
            float[] qa = gaussian(rnd, tq * hd, 1), ka = gaussian(rnd, tk * hd, 1), va = gaussian(rnd, tk * hd, 1);
            try (Tensors t = new Tensors()) {
                Tensor q = t.of(qa, 1, tq, hd), k = t.of(ka, 1, tk, hd), v = t.of(va, 1, tk, hd);
                Tensor all = t.zeros(1, tq, hd), lseAll = t.zeros(1, heads, tq), one = t.zeros(1, 1, hd), lseOne = t.zeros(1, heads, 1);
                Tensor beams = t.of(qa, tq, 1, hd), sharedOut = t.zeros(tq, 1, hd);
                forEachIsa(isa -> {
                    NnKernels.attentionRowwise(q, k, v, heads, causal, all, lseAll);
                    float[] got = all.toFloatArray(), gotLse = lseAll.toFloatArray();
                    for (int r = 0; r < tq; r++) {
                        try (Tensor row = Tensor.of(Arrays.copyOfRange(qa, r * hd, (r + 1) * hd), 1, 1, hd)) {
                            NnKernels.attention(row, k, v, heads, causal < 0 ? -1 : causal + r, one, lseOne);
                        }
                        String what = "rowwise " + Arrays.toString(c) + " row " + r + " " + isa;
                        assertArrayEquals(one.toFloatArray(), Arrays.copyOfRange(got, r * hd, (r + 1) * hd), 0f, what);
                        for (int h = 0; h < heads; h++) {
                            assertEquals(Float.floatToIntBits(lseOne.toFloatArray()[h]), Float.floatToIntBits(gotLse[h * tq + r]),
                                    what + " lse head " + h);
                        }
                    }
                    if (causal < 0) { // the same rows as B = Tq batch rows sharing one K/V (Bk = 1)
                        NnKernels.attentionRowwise(beams, k, v, heads, -1, sharedOut, null);
                        assertArrayEquals(got, sharedOut.toFloatArray(), 0f, "rowwise Bk = 1 " + Arrays.toString(c) + " " + isa);
                    }
                });
            }
        }
        assertThreadInvariant("rowwise attention", () -> {
            SplittableRandom rnd = new SplittableRandom(5);
            float[] qa = gaussian(rnd, 37 * 96, 1), ka = gaussian(rnd, 300 * 96, 1), va = gaussian(rnd, 300 * 96, 1);
            try (Tensors t = new Tensors()) {
                Tensor o = t.zeros(1, 37, 96);
                NnKernels.attentionRowwise(t.of(qa, 1, 37, 96), t.of(ka, 1, 300, 96), t.of(va, 1, 300, 96), 3, -1, o, null);
                return o.toFloatArray();
            }
        });
    }

    @Test
    void backwardMatchesAnalyticReference() throws Exception {
        for (long[] c : CASES) {
            Problem p = new Problem(attn(c), 31 * Arrays.hashCode(c));
            Attn a = p.a;
            double[][] ref = NnReference.attentionBackward(a, toDouble(p.q), toDouble(p.k), toDouble(p.v), toDouble(p.dout));
            forEachIsa(isa -> {
                float[][] g = runBackward(p);
                String what = "attentionBackward " + a + " " + isa;
                String[] names = {"dq", "dk", "dv"};
                for (int i = 0; i < 3; i++) {
                    // 2e-6 of the gradient's scale: see the class comment
                    assertClose(what + " " + names[i], ref[i], g[i], 2e-6 * (1 + maxAbs(ref[i])), 0);
                }
            });
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() throws Exception {
        Attn[] small = {new Attn(2, 1, 3, 5, 2, 4, 1), new Attn(2, 2, 4, 4, 1, 8, 0), new Attn(1, 1, 3, 6, 2, 3, -1)};
        for (Attn a : small) {
            Problem p = new Problem(a, a.hashCode());
            double[] q = toDouble(p.q), k = toDouble(p.k), v = toDouble(p.v), dout = toDouble(p.dout);
            // L = <dout, attention_ref(q, k, v)>, differentiated numerically in double
            double[] nq = numericGradient(x -> dot(dout, NnReference.attention(a, x, k, v, null)), q, 1e-5);
            double[] nk = numericGradient(x -> dot(dout, NnReference.attention(a, q, x, v, null)), k, 1e-5);
            double[] nv = numericGradient(x -> dot(dout, NnReference.attention(a, q, k, x, null)), v, 1e-5);
            double[][] analytic = NnReference.attentionBackward(a, q, k, v, dout);
            // the reference's own chain rule: FD truncation ~1e-10
            assertClose("dq analytic vs FD " + a, nq, analytic[0], 1e-8, 1e-7);
            assertClose("dk analytic vs FD " + a, nk, analytic[1], 1e-8, 1e-7);
            assertClose("dv analytic vs FD " + a, nv, analytic[2], 1e-8, 1e-7);
            forEachIsa(isa -> {
                float[][] g = runBackward(p);
                // float kernel vs exact derivatives of the FP64 forward: float rounding on O(1) values
                // (measured 1.7e-7 at most)
                assertClose("dq vs FD " + a + " " + isa, nq, g[0], 3e-7, 3e-7);
                assertClose("dk vs FD " + a + " " + isa, nk, g[1], 3e-7, 3e-7);
                assertClose("dv vs FD " + a + " " + isa, nv, g[2], 3e-7, 3e-7);
            });
        }
    }

    /** Forward (for out and lse) then backward on the active ISA; returns {dq, dk, dv}. */
    private static float[][] runBackward(Problem p) {
        Attn a = p.a;
        try (Tensors t = new Tensors()) {
            Tensor q = t.of(p.q, a.b(), a.tq(), a.hd()), k = t.of(p.k, a.bk(), a.tk(), a.hd()), v = t.of(p.v, a.bk(), a.tk(), a.hd());
            Tensor dout = t.of(p.dout, a.b(), a.tq(), a.hd());
            Tensor o = t.zeros(a.b(), a.tq(), a.hd()), l = t.zeros(a.b(), a.heads(), a.tq());
            Tensor dq = t.zeros(a.b(), a.tq(), a.hd()), dk = t.zeros(a.bk(), a.tk(), a.hd()), dv = t.zeros(a.bk(), a.tk(), a.hd());
            dq.fill(9f);  // outputs are overwritten, not accumulated
            dk.fill(9f);
            dv.fill(9f);
            NnKernels.attention(q, k, v, a.heads(), a.causalOffset(), o, l);
            NnKernels.attentionBackward(q, k, v, o, l, dout, a.heads(), a.causalOffset(), dq, dk, dv);
            return new float[][] {dq.toFloatArray(), dk.toFloatArray(), dv.toFloatArray()};
        }
    }

    @Test
    void cachedDecodingStepEqualsTheLastRowOfTheFullCausalForward() throws Exception {
        // KV-cache semantics: the last of L tokens attending to all L keys (causalOffset L-1) gives
        // the last row of the full causal prompt (causalOffset 0, Tq = Tk = L). Not bit for bit: a single
        // query takes the in-place path (one vector dot product per key, lanes summed at the end) while
        // the prompt's rows go through transposed tiles (each score summed over d in order), so the
        // rounding differs by a few float ulps; outputs here are O(1), 2e-6 is ~16 ulp.
        int len = 77, heads = 3, dh = 64, hd = heads * dh;
        SplittableRandom rnd = new SplittableRandom(41);
        float[] q = gaussian(rnd, len * hd, 1), k = gaussian(rnd, len * hd, 1), v = gaussian(rnd, len * hd, 1);
        try (Tensors t = new Tensors()) {
            Tensor qt = t.of(q, 1, len, hd), kt = t.of(k, 1, len, hd), vt = t.of(v, 1, len, hd), full = t.zeros(1, len, hd);
            Tensor last = t.of(Arrays.copyOfRange(q, (len - 1) * hd, len * hd), 1, 1, hd), step = t.zeros(1, 1, hd);
            forEachIsa(isa -> {
                NnKernels.attention(qt, kt, vt, heads, 0, full, null);
                NnKernels.attention(last, kt, vt, heads, len - 1, step, null);
                assertArrayEquals(Arrays.copyOfRange(full.toFloatArray(), (len - 1) * hd, len * hd), step.toFloatArray(), 2e-6f,
                        "decode step vs full prompt " + isa);
            });
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() throws Exception {
        Problem p = new Problem(new Attn(2, 1, 40, 75, 3, 24, 5), 43);
        Problem nc = new Problem(new Attn(2, 2, 70, 50, 2, 40, -1), 44);
        for (Problem pr : new Problem[] {p, nc}) {
            assertThreadInvariant("attention fwd+bwd " + pr.a, () -> {
                float[][] g = runBackward(pr);
                return NnKernelsLayerNormTest.concat(g[0], g[1], g[2]);
            });
        }
    }
}
