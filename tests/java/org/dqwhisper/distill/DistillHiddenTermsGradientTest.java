package org.dqwhisper.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dqwhisper.distill.DynamicLayerMatcher.Mode;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.train.TrainingBatch;
import org.dqwhisper.train.WhisperInit;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.junit.jupiter.api.Test;

/**
 * The hidden-state terms the distiller adds on top of CE + KL: the decoder L_hid from the authors' unmasked recompute
 * ({@link HiddenSource#UNMASKED_RECOMPUTE}) and the encoder L_hid,enc ({@link Distiller.Options#encoderMatch}), on a
 * 3+3-layer teacher and a narrower 2+2-layer student (both adapters map 128 → 64 features).
 *
 * <p>The gradient check isolates the hidden terms: a distiller with them ({@code static} matching, so no argmin can
 * flip under a perturbation) and one without ({@code logits}, no encoder matching) see the same student; the
 * difference of their gradients is the gradient of α·(L_hid + L_hid,enc) (up to FP32 rounding of the KL gradient:
 * with encoder matching the teacher encoder runs its training forward), compared with central finite differences of
 * the reported α·(L_hid + L_hid,enc) along a random direction per parameter tensor (student and adapters).
 * Tolerance 2e-3 of |FD| + the rms of all tensors' FD values: the terms are double sums of FP32 row distances
 * (relative error ~1e-6), the step (1e-3 per coordinate) changes them by ~1e-5..1e-3, so the FD noise is below
 * ~1e-3 of the rms derivative and the O(h²) truncation smaller; a wrong path or scale moves a derivative by O(1).
 */
class DistillHiddenTermsGradientTest {
    static final WhisperConfig TEACHER = WhisperConfig.of(8, 8, 32, 2, 3, 61, 12, 32, 2, 3);
    static final WhisperConfig STUDENT = WhisperConfig.of(8, 8, 16, 2, 2, 61, 12, 16, 2, 2);
    static final double STEP = 1e-3;
    static final double TOL = 2e-3;

    static WhisperModel teacher(long seed) {
        WhisperModel t = WhisperInit.random(TEACHER, seed);
        for (Parameter p : t.parameters()) if (p.value().rank() == 2 && !p.name().contains("positional")) NnKernels.scaleInto(p.value(), 10f);
        t.invalidatePackedWeights();
        return t;
    }

    static Distiller.Options options(Mode mode, HiddenSource source, Mode encoder) {
        return new Distiller.Options(mode, 0.9, 1f, DistillationLosses.Reduction.MEAN_PER_TOKEN, QuantConfig.NONE, true, 0.0, 3L, source, encoder);
    }

    static double loss(Distiller d, TrainingBatch b) {
        return d.lossAndGradients(b).terms().total();
    }

    static void zeroGrads(Distiller d) {
        for (Parameter p : d.trainableParameters()) p.zeroGrad();
    }

    static Map<String, float[]> grads(Distiller d) {
        Map<String, float[]> g = new HashMap<>();
        for (Parameter p : d.trainableParameters()) g.put(p.name(), p.grad().toFloatArray());
        return g;
    }

    @Test
    void hiddenTermGradientsMatchFiniteDifferences() {
        try (WhisperModel t = teacher(1); WhisperModel s = WhisperInit.random(STUDENT, 2); TrainingBatch batch = DistillerTest.data(t, 2, 3);
                Distiller with = new Distiller(t, s, options(Mode.STATIC, HiddenSource.UNMASKED_RECOMPUTE, Mode.STATIC));
                Distiller without = new Distiller(t, s, options(Mode.LOGITS, HiddenSource.MASKED, Mode.NONE))) {
            zeroGrads(with);
            Distiller.StepResult r = with.lossAndGradients(batch);
            assertTrue(r.encoderHidden() > 0 && r.terms().hidden() > 0, "both hidden terms present: " + r);
            assertArrayEquals(new int[] {1, 2}, r.encoderMapping(), "static: 2 student encoder layers <-> evenly spaced teacher layers 1, 2 of 3");
            Map<String, float[]> gWith = grads(with);
            zeroGrads(with);
            zeroGrads(without);
            Distiller.StepResult r0 = without.lossAndGradients(batch);
            assertEquals(r.terms().ce(), r0.terms().ce(), 0.0, "the causal pass is the same");
            // with encoder matching the teacher encoder runs its training forward (GEMM attention, not the fused kernel) to keep
            // its activations: its logits and so KL differ by FP32 rounding (seen: 3e-9 of a total of ~4)
            assertEquals(r.terms().kl(), r0.terms().kl(), 1e-6 * r0.terms().kl());
            assertEquals(r.terms().total() - r0.terms().total(), 0.9 * (r.terms().hidden() + r.encoderHidden()), 1e-6 * r0.terms().total());
            Map<String, float[]> gWithout = grads(without);

            List<Parameter> ps = with.trainableParameters();
            Random rnd = new Random(4);
            double[] got = new double[ps.size()], want = new double[ps.size()];
            for (int k = 0; k < ps.size(); k++) {
                Parameter p = ps.get(k);
                float[] x = p.value().toFloatArray(), v = new float[x.length];
                for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
                float[] g1 = gWith.get(p.name()), g0 = gWithout.get(p.name());
                double dot = 0;
                for (int i = 0; i < v.length; i++) dot += (g1[i] - (g0 == null ? 0 : g0[i])) * (double) v[i];
                got[k] = dot;
                want[k] = (hiddenTerms(with, s, batch, p, x, v, STEP) - hiddenTerms(with, s, batch, p, x, v, -STEP)) / (2 * STEP);
                p.value().copyFrom(x);
                s.invalidatePackedWeights();
            }
            double sq = 0;
            for (double w : want) sq += w * w;
            double rms = Math.sqrt(sq / want.length);
            assertTrue(rms > 0, "finite differences all zero: the check would be vacuous");
            double worst = 0;
            for (int k = 0; k < ps.size(); k++) worst = Math.max(worst, Math.abs(want[k] - got[k]) / (Math.abs(want[k]) + rms));
            System.out.printf("hidden terms: %d tensors, worst |analytic - FD| / (|FD| + rms) = %.2e (tolerance %.0e)%n", ps.size(), worst, TOL);
            for (int k = 0; k < ps.size(); k++) {
                String name = ps.get(k).name();
                assertEquals(want[k], got[k], TOL * (Math.abs(want[k]) + rms), name + ": analytic vs finite difference (rms " + rms + ")");
                if (name.equals("decoder.blocks.0.attn.value.weight") || name.equals("encoder.blocks.0.mlp.0.weight")) {
                    // the recompute's self-attention and the encoder term: non-vacuous checks
                    assertTrue(Math.abs(want[k]) > 1e-3 * rms, name + ": the hidden terms must depend on it");
                }
            }
        }
    }

    @Test
    void hiddenWeightScalesTheHiddenTermsAndTheirGradientsOnly() {
        // L(w) = (1-α)CE + α(KL + w(L_hid + L_hid,enc)): against the logits-only loss, the total and every gradient
        // differ by w times what they differ at w = 1. Float rounding of the summed gradients: 1e-4 of the largest.
        double w = 3.5;
        try (WhisperModel t = teacher(21); WhisperModel s = WhisperInit.random(STUDENT, 22); TrainingBatch batch = DistillerTest.data(t, 2, 23);
                Distiller one = new Distiller(t, s, options(Mode.DYNAMIC, HiddenSource.MASKED, Mode.DYNAMIC));
                Distiller weighted = new Distiller(t, s, options(Mode.DYNAMIC, HiddenSource.MASKED, Mode.DYNAMIC).withHiddenWeight(w));
                Distiller none = new Distiller(t, s, options(Mode.LOGITS, HiddenSource.MASKED, Mode.NONE))) {
            zeroGrads(one);
            Distiller.StepResult r1 = one.lossAndGradients(batch);
            Map<String, float[]> g1 = grads(one);
            zeroGrads(weighted);
            Distiller.StepResult rw = weighted.lossAndGradients(batch);
            Map<String, float[]> gw = grads(weighted);
            zeroGrads(none);
            Distiller.StepResult r0 = none.lossAndGradients(batch);
            Map<String, float[]> g0 = grads(none);
            assertEquals(r1.terms().hidden(), rw.terms().hidden(), 0.0, "L_hid is reported unweighted");
            assertTrue(r1.terms().hidden() > 0 && r1.encoderHidden() > 0, "hidden terms present");
            assertEquals(w * (r1.terms().total() - r0.terms().total()), rw.terms().total() - r0.terms().total(),
                    1e-6 * r0.terms().total(), "total");
            int checked = 0;
            double strongest = 0; // the largest hidden-term gradient in units of the tolerance: the check must not be vacuous
            for (Map.Entry<String, float[]> e : g0.entrySet()) {
                float[] a = g1.get(e.getKey()), b = gw.get(e.getKey()), z = e.getValue();
                double scale = 0;
                for (int i = 0; i < z.length; i++) scale = Math.max(scale, Math.max(Math.abs(a[i]), Math.abs(b[i])));
                for (int i = 0; i < z.length; i++) {
                    assertEquals(w * ((double) a[i] - z[i]), (double) b[i] - z[i], 1e-4 * scale + 1e-12, e.getKey() + "[" + i + "]");
                    strongest = Math.max(strongest, Math.abs((double) a[i] - z[i]) / (1e-4 * scale + 1e-12));
                }
                checked++;
            }
            assertTrue(checked > 10, "student parameters compared: " + checked);
            assertTrue(strongest > 100, "the hidden terms move some gradient by > 100x the tolerance: " + strongest);
            assertThrows(IllegalArgumentException.class, () -> options(Mode.DYNAMIC, HiddenSource.MASKED, Mode.NONE).withHiddenWeight(-1));
            assertThrows(IllegalArgumentException.class, () -> options(Mode.DYNAMIC, HiddenSource.MASKED, Mode.NONE).withHiddenWeight(Double.NaN));
        }
    }

    /** α·(L_hid + L_hid,enc) as the distiller reports it at θ_p + h·v (other tensors as they are); gradients accumulate and are discarded. */
    private static double hiddenTerms(Distiller with, WhisperModel s, TrainingBatch b, Parameter p, float[] x, float[] v, double h) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (float) (x[i] + h * v[i]);
        p.value().copyFrom(y);
        s.invalidatePackedWeights();
        Distiller.StepResult r = with.lossAndGradients(b);
        return with.options().alpha() * (r.terms().hidden() + r.encoderHidden());
    }

    /** The unmasked source changes L_hid (and its mapping input) but not the logits terms; the default stays the masked forward. */
    @Test
    void unmaskedSourceChangesOnlyTheHiddenTerm() {
        try (WhisperModel t = teacher(5); WhisperModel s = WhisperInit.random(STUDENT, 6); TrainingBatch batch = DistillerTest.data(t, 2, 7);
                Distiller masked = new Distiller(t, s, Distiller.Options.paper().withQuant(QuantConfig.NONE));
                Distiller unmasked = new Distiller(t, s, Distiller.Options.paper().withQuant(QuantConfig.NONE)
                        .withHiddenSource(HiddenSource.UNMASKED_RECOMPUTE))) {
            assertEquals(HiddenSource.MASKED, Distiller.Options.paper().hiddenSource());
            Distiller.StepResult a = masked.lossAndGradients(batch), b = unmasked.lossAndGradients(batch);
            assertEquals(a.terms().ce(), b.terms().ce(), 0.0);
            assertEquals(a.terms().kl(), b.terms().kl(), 0.0);
            assertNotEquals(a.terms().hidden(), b.terms().hidden());
        }
    }

    /**
     * The encoder mapping the distiller chooses is {@link DynamicLayerMatcher#monotoneGreedy} of an independently
     * computed distance matrix (FP64 from the activations: adapter, softmax over features, squared error, mean over
     * all B·n_audio_ctx frames), and the reported L_hid,enc is the mean matched distance.
     */
    @Test
    void encoderMappingIsTheMatcherOfTheDistances() {
        try (WhisperModel t = teacher(8); WhisperModel s = WhisperInit.random(STUDENT, 9); TrainingBatch batch = DistillerTest.data(t, 2, 10);
                Distiller d = new Distiller(t, s, options(Mode.DYNAMIC, HiddenSource.MASKED, Mode.DYNAMIC))) {
            double[] aw = DistillReference.toDouble(d.encoderAdapter().weight().toFloatArray());
            double[] ab = DistillReference.toDouble(d.encoderAdapter().bias().toFloatArray());
            int ns = STUDENT.nAudioLayer(), nt = TEACHER.nAudioLayer(), rows = batch.size() * STUDENT.nAudioCtx(), fs = 64, ft = 128;
            double[][] dist = new double[ns][nt];
            try (WhisperModel.TrainingPass ps = s.forwardTrain(batch.mel(), batch.decoderInputs(), true);
                    WhisperModel.TrainingPass pt = t.forwardTrain(batch.mel(), batch.decoderInputs(), true)) {
                for (int i = 0; i < ns; i++) {
                    double[] p = DistillReference.softmaxT(DistillReference.toDouble(ps.encoderFfn(i).activation().toFloatArray()), rows, fs, 1);
                    for (int j = 0; j < nt; j++) {
                        double[] a = DistillReference.linear(DistillReference.toDouble(pt.encoderFfn(j).activation().toFloatArray()), aw, ab, rows, ft, fs);
                        double[] q = DistillReference.softmaxT(a, rows, fs, 1);
                        dist[i][j] = DistillReference.sum(DistillReference.hiddenRows(p, q, rows, fs, 1, null)) / rows;
                    }
                }
            }
            int[] want = DynamicLayerMatcher.monotoneGreedy(dist);
            Distiller.StepResult r = d.lossAndGradients(batch);
            assertArrayEquals(want, r.encoderMapping());
            double mean = 0;
            for (int i = 0; i < ns; i++) mean += dist[i][want[i]] / ns;
            // FP32 softmax and row sums of 64 features against FP64: 1e-5 relative
            assertEquals(mean, r.encoderHidden(), 1e-5 * mean);
        }
    }

    @Test
    void misuseIsRefusedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Distiller.Options(Mode.DYNAMIC, 0.9, 1f,
                DistillationLosses.Reduction.MEAN_PER_TOKEN, QuantConfig.NONE, false, 0, 1, HiddenSource.MASKED, Mode.DYNAMIC));
        assertTrue(e.getMessage().contains("--train-encoder"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> options(Mode.DYNAMIC, HiddenSource.MASKED, Mode.LOGITS));
        assertTrue(e.getMessage().contains("logits"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> options(Mode.NONE, HiddenSource.MASKED, Mode.STATIC));
        assertTrue(e.getMessage().contains("CE alone"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> options(Mode.DYNAMIC, null, Mode.NONE));
        e = assertThrows(IllegalArgumentException.class, () -> HiddenSource.parse("half-masked"));
        assertTrue(e.getMessage().contains("half-masked"), e.getMessage());
        assertEquals(HiddenSource.UNMASKED_RECOMPUTE, HiddenSource.parse(" Unmasked-Recompute "));
        WhisperConfig longer = WhisperConfig.of(8, 16, 16, 2, 2, 61, 12, 16, 2, 2);
        try (WhisperModel t = teacher(11); WhisperModel s = WhisperInit.random(longer, 12)) {
            e = assertThrows(IllegalArgumentException.class, () -> new Distiller(t, s, options(Mode.DYNAMIC, HiddenSource.MASKED, Mode.DYNAMIC)));
            assertTrue(e.getMessage().contains("n_audio_ctx"), e.getMessage());
        }
    }

    /**
     * Two steps with both hidden terms (dynamic matching): bit-identical student, adapters and mappings for 1, 2 and 3
     * kernel threads; on every ISA path the same mappings and terms within 1e-4 relative (FP32 kernels that differ in
     * summation order and vector width; the terms are means of O(1e-2) distances over 64 features).
     */
    @Test
    void stepsAreBitIdenticalAcrossThreadCountsAndAgreeAcrossIsas() {
        Distiller.Options o = options(Mode.DYNAMIC, HiddenSource.UNMASKED_RECOMPUTE, Mode.DYNAMIC);
        float[][] first = null;
        double[] firstTerms = null;
        int before = org.dqwhisper.kernels.CpuRuntime.threads();
        for (int threads = 1; threads <= 3; threads++) {
            org.dqwhisper.kernels.CpuRuntime.setThreads(threads);
            try {
                TwoSteps r = twoSteps(o);
                if (first == null) {
                    first = r.weights();
                    firstTerms = r.terms();
                } else {
                    for (int i = 0; i < first.length; i++) assertArrayEquals(first[i], r.weights()[i], threads + " threads, tensor " + i);
                    assertArrayEquals(firstTerms, r.terms(), threads + " threads: terms and mappings");
                }
            } finally {
                org.dqwhisper.kernels.CpuRuntime.setThreads(before);
            }
        }
        for (org.dqwhisper.kernels.Isa isa : org.dqwhisper.kernels.Isa.values()) {
            if (isa.compareTo(org.dqwhisper.kernels.CpuRuntime.detectedIsa()) > 0) continue;
            org.dqwhisper.kernels.CpuRuntime.forceIsa(isa);
            try {
                double[] terms = twoSteps(o).terms();
                for (int i = 0; i < terms.length; i++) assertEquals(firstTerms[i], terms[i], 1e-4 * Math.abs(firstTerms[i]), isa + ": entry " + i);
            } finally {
                org.dqwhisper.kernels.CpuRuntime.forceIsa(null);
            }
        }
    }

    /** Trained tensors after two steps, and {hidden, encoder hidden, decoder mapping..., encoder mapping...} of the second step. */
    private record TwoSteps(float[][] weights, double[] terms) {}

    private static TwoSteps twoSteps(Distiller.Options o) {
        try (WhisperModel t = teacher(16); WhisperModel s = WhisperInit.random(STUDENT, 17); TrainingBatch batch = DistillerTest.data(t, 2, 18);
                Distiller d = new Distiller(t, s, o)) {
            d.step(batch, 1e-3);
            Distiller.StepResult r = d.step(batch, 1e-3);
            java.util.List<Parameter> ps = d.trainableParameters();
            float[][] w = new float[ps.size()][];
            for (int i = 0; i < w.length; i++) w[i] = ps.get(i).value().toFloatArray();
            double[] terms = new double[2 + r.mapping().length + r.encoderMapping().length];
            terms[0] = r.terms().hidden();
            terms[1] = r.encoderHidden();
            for (int i = 0; i < r.mapping().length; i++) terms[2 + i] = r.mapping()[i];
            for (int i = 0; i < r.encoderMapping().length; i++) terms[2 + r.mapping().length + i] = r.encoderMapping()[i];
            return new TwoSteps(w, terms);
        }
    }

    /** The recompute's memory is given back with the pass: nothing of it stays lent after a step. */
    @Test
    void stepsLeaveNoWorkspaceTensorsLent() {
        try (WhisperModel t = teacher(13); WhisperModel s = WhisperInit.random(STUDENT, 14); TrainingBatch batch = DistillerTest.data(t, 2, 15);
                Distiller d = new Distiller(t, s, options(Mode.DYNAMIC, HiddenSource.UNMASKED_RECOMPUTE, Mode.DYNAMIC))) {
            int before = org.dqwhisper.nn.Workspace.lentCount();
            for (int i = 0; i < 2; i++) assertTrue(Double.isFinite(d.step(batch, 1e-3).terms().total()));
            assertEquals(before, org.dqwhisper.nn.Workspace.lentCount());
            assertEquals(2, d.encoderMatchingLog().steps());
            assertEquals(2, d.matchingLog().steps());
            assertEquals(64, d.encoderAdapter().outFeatures());
            assertEquals(128, d.encoderAdapter().inFeatures());
        }
    }
}
