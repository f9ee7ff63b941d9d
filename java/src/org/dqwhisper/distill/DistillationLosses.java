package org.dqwhisper.distill;

import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.IntPointer;
import org.dqwhisper.distill.DynamicLayerMatcher.Mode;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nativelib.NativeDistill;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * The DQ-Whisper loss terms on off-heap tensors (method note §2.3-2.5):
 * <pre>
 *   L     = (1 − α)·L_CE + α·(L_KL + L_hid)                       (α = 0.9, T = 1 by default)
 *   L_KL  = T²·Σ_tokens KL(softmax(z_T/T) ‖ softmax(z_S/T))       (padded tokens masked)
 *   L_hid = (1/N_S)·Σ_i d(s_i, t_m(i))                            (m from {@link DynamicLayerMatcher})
 *   d(s, t) = T²·Σ_tokens Σ_k (softmax(h_S/T)_k − softmax(A·h_T/T)_k)²
 * </pre>
 * h are the post-GELU fc1 activations [tokens, 4d] of a decoder layer, A the trainable {@link LinearAdapter}.
 *
 * <p><b>Reduction.</b> The authors sum every term over the batch ({@link Reduction#SUM}). The default here
 * is {@link Reduction#MEAN_PER_TOKEN}: each term is divided by the number of tokens it covers (CE and KL:
 * the non-padded label tokens; L_hid: the rows it counts). With sums, the balance between the terms and
 * the effective learning rate change with batch size and transcript length, so α and the learning rate
 * would have to be re-tuned per batch shape; per-token means keep α a pure mixing weight. The sum over the
 * features inside one token's distance is kept in both modes (it is the distance itself).
 *
 * <p><b>Masking of L_hid.</b> The authors do not mask padded positions in the hidden term; passing a
 * mask to the hidden-distance methods is this implementation's option (null reproduces the authors).
 *
 * <p>Usage per step: raw sums come from {@link #crossEntropySum}, {@link #klSum}, {@link #hiddenDistanceSum};
 * {@link LossScales} turns them into the total and gives each term's gradient scale, so value and
 * gradient are consistent by construction. Every method checks its tensors first
 * ({@link IllegalArgumentException} / {@link IllegalStateException}).
 */
public final class DistillationLosses {
    public static final double DEFAULT_ALPHA = 0.9;
    public static final float DEFAULT_TEMPERATURE = 1f;

    private DistillationLosses() {}

    /** How every term is reduced over tokens. */
    public enum Reduction {
        /** The authors' choice: plain sums over the batch. */
        SUM("sum"),
        /** Each term divided by the number of tokens it covers (the default). */
        MEAN_PER_TOKEN("mean-per-token");

        private final String spec;

        Reduction(String spec) {
            this.spec = spec;
        }

        public String spec() {
            return spec;
        }

        public static Reduction parse(String s) {
            if (s != null) {
                String t = s.trim().toLowerCase(Locale.ROOT);
                for (Reduction r : values()) if (r.spec.equals(t)) return r;
            }
            throw new IllegalArgumentException("unknown loss reduction '" + s + "' (expected sum or mean-per-token)");
        }

        /** The factor applied to a sum over {@code tokens} tokens. */
        public double norm(long tokens) {
            return this == SUM ? 1.0 : 1.0 / Math.max(1, tokens);
        }

        @Override
        public String toString() {
            return spec;
        }
    }

    /** The loss terms of one step, each already reduced (unweighted by α), and the total. */
    public record Terms(double ce, double kl, double hidden, double total) {}

    /**
     * Weights of the raw sums in the total loss, which are also the {@code scaleForGrad} of each term's
     * gradient: {@code L = ce·ΣCE + kl·ΣKL + hiddenPerLayer·Σ_i Σd_i}.
     * Mode {@code none}: {@code L = L_CE} (α unused); {@code logits}: no hidden term.
     */
    public record LossScales(double ce, double kl, double hiddenPerLayer, double ceNorm, double hiddenNorm, int studentLayers,
                             double alpha) {
        /**
         * @param labelTokens  non-padded label tokens (CE and KL)
         * @param hiddenTokens rows counted by the hidden distance (all rows, or the unmasked ones)
         * @param studentLayers layers averaged in L_hid (N_S)
         */
        public static LossScales of(Mode mode, double alpha, Reduction reduction, long labelTokens, long hiddenTokens,
                                    int studentLayers) {
            if (mode == null || reduction == null) throw new IllegalArgumentException("loss scales: mode and reduction are required");
            if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("loss scales: alpha must be in [0, 1], got " + alpha);
            if (labelTokens < 0 || hiddenTokens < 0) throw new IllegalArgumentException("loss scales: negative token count");
            if (mode.usesHiddenLoss() && studentLayers < 1) {
                throw new IllegalArgumentException("loss scales: mode " + mode + " needs at least one student layer");
            }
            double ceNorm = reduction.norm(labelTokens), hidNorm = reduction.norm(hiddenTokens);
            return switch (mode) {
                case NONE -> new LossScales(ceNorm, 0, 0, ceNorm, hidNorm, studentLayers, alpha);
                case LOGITS -> new LossScales((1 - alpha) * ceNorm, alpha * ceNorm, 0, ceNorm, hidNorm, studentLayers, alpha);
                default -> new LossScales((1 - alpha) * ceNorm, alpha * ceNorm, alpha * hidNorm / studentLayers, ceNorm, hidNorm,
                        studentLayers, alpha);
            };
        }

        /**
         * These scales with the hidden term's weight multiplied by {@code w} (its gradient scale and its share of the
         * total; {@link Terms#hidden()} stays the unweighted L_hid).
         */
        public LossScales withHiddenWeight(double w) {
            return w == 1.0 ? this : new LossScales(ce, kl, hiddenPerLayer * w, ceNorm, hiddenNorm, studentLayers, alpha);
        }

        /** The reduced terms and the total from the raw sums ({@code hiddenSums[i]} of the matched pair of student layer i). */
        public Terms terms(double ceSum, double klSum, double[] hiddenSums) {
            double hidSum = 0;
            if (hiddenSums != null && hiddenSums.length > 0) {
                if (hiddenSums.length != studentLayers) {
                    throw new IllegalArgumentException("loss terms: " + hiddenSums.length + " hidden distances for " + studentLayers
                            + " student layers");
                }
                hidSum = sum(hiddenSums);
            }
            double hid = studentLayers > 0 ? hidSum * hiddenNorm / studentLayers : 0;
            return new Terms(ceSum * ceNorm, klSum * ceNorm, hid, ce * ceSum + kl * klSum + hiddenPerLayer * hidSum);
        }

        private static double sum(double[] v) {
            double s = 0;
            for (double x : v) s += x;
            return s;
        }
    }

    // ---- hidden-state distance ---------------------------------------------------------------------

    /** {@code p = softmax(h / T)} over the last (feature) dimension; p like h, may be h itself. */
    public static void featureSoftmax(Tensor h, float temperature, Tensor p) {
        checkTemperature(temperature);
        f32("featureSoftmax", "h", h);
        f32("featureSoftmax", "p", p);
        if (!java.util.Arrays.equals(h.shape(), p.shape())) {
            throw new IllegalArgumentException("featureSoftmax: p " + p.describe() + " must have the shape of h " + h.describe());
        }
        if (h.address() != p.address()) p.copyFrom(h);
        if (temperature != 1f) NnKernels.scaleInto(p, 1f / temperature);
        NnKernels.softmaxRows(p, p);
    }

    /**
     * Per-row distances {@code rowDistance[r] = T²·Σ_k (pS[r][k] − pT[r][k])²} (0 for masked rows):
     * pS, pT F32 of the same shape, rows = leading dimensions; mask S32 [rows] of 0/1 or null;
     * rowDistance F32 [rows].
     */
    public static void hiddenRowDistances(Tensor pS, Tensor pT, float temperature, Tensor mask, Tensor rowDistance) {
        long[] rf = rowsAndFeatures("hiddenRowDistances", pS, pT);
        checkTemperature(temperature);
        checkMask("hiddenRowDistances", mask, rf[0]);
        f32("hiddenRowDistances", "rowDistance", rowDistance);
        if (rowDistance.numel() != rf[0]) {
            throw new IllegalArgumentException("hiddenRowDistances: rowDistance " + rowDistance.describe() + " must have " + rf[0] + " elements");
        }
        disjoint("hiddenRowDistances", rowDistance, pS, pT, mask);
        CpuRuntime.ensureLoaded();
        NativeDistill.dqw_softmax_mse_rows_f32(pS.floatPointer(), pT.floatPointer(), maskPointer(mask), rowDistance.floatPointer(),
                rf[0], rf[1], temperature);
    }

    /** {@code d(s, t)} unreduced: the sum of {@link #hiddenRowDistances} over the rows, in double. */
    public static double hiddenDistanceSum(Tensor pS, Tensor pT, float temperature, Tensor mask) {
        long rows = rowsAndFeatures("hiddenDistanceSum", pS, pT)[0];
        try (Tensor r = Tensor.allocate("hidden row distances", DType.F32, rows)) {
            hiddenRowDistances(pS, pT, temperature, mask, r);
            double s = 0;
            for (float v : r.toFloatArray()) s += v;
            return s;
        }
    }

    /** {@code d(s, t)} reduced: the sum, or the sum divided by the counted rows. */
    public static double hiddenDistance(Tensor pS, Tensor pT, float temperature, Tensor mask, Reduction reduction) {
        long rows = rowsAndFeatures("hiddenDistance", pS, pT)[0];
        return hiddenDistanceSum(pS, pT, temperature, mask) * reduction.norm(countRows(mask, rows));
    }

    /** The matching input {@code d[i][j] = hiddenDistance(studentProbs[i], teacherProbs[j])} (reduced). */
    public static double[][] distanceMatrix(List<Tensor> studentProbs, List<Tensor> teacherProbs, float temperature, Tensor mask,
                                            Reduction reduction) {
        if (studentProbs == null || teacherProbs == null || studentProbs.isEmpty() || teacherProbs.isEmpty()) {
            throw new IllegalArgumentException("distanceMatrix: need at least one student and one teacher layer");
        }
        double[][] d = new double[studentProbs.size()][teacherProbs.size()];
        for (int i = 0; i < d.length; i++) {
            for (int j = 0; j < d[i].length; j++) d[i][j] = hiddenDistance(studentProbs.get(i), teacherProbs.get(j), temperature, mask, reduction);
        }
        return d;
    }

    /**
     * Gradients of {@code scale·d(s, t)} with respect to the softmax inputs: {@code dhS} (the student
     * activation h_S) and {@code dAdapted} (the adapter output A·h_T); both nullable, F32 like pS, must not
     * overlap the inputs or each other; {@code accumulate} adds instead of overwriting.
     */
    public static void hiddenDistanceBackward(Tensor pS, Tensor pT, float temperature, Tensor mask, float scale, Tensor dhS,
                                              Tensor dAdapted, boolean accumulate) {
        long[] rf = rowsAndFeatures("hiddenDistanceBackward", pS, pT);
        checkTemperature(temperature);
        checkMask("hiddenDistanceBackward", mask, rf[0]);
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("hiddenDistanceBackward: scale must be finite, got " + scale);
        for (Tensor g : new Tensor[] {dhS, dAdapted}) {
            if (g == null) continue;
            f32("hiddenDistanceBackward", "gradient", g);
            if (!java.util.Arrays.equals(g.shape(), pS.shape())) {
                throw new IllegalArgumentException("hiddenDistanceBackward: gradient " + g.describe() + " must have the shape of " + pS.describe());
            }
            disjoint("hiddenDistanceBackward", g, pS, pT, mask);
        }
        if (dhS != null && dAdapted != null) disjoint("hiddenDistanceBackward", dhS, dAdapted);
        if (dhS == null && dAdapted == null) return;
        CpuRuntime.ensureLoaded();
        NativeDistill.dqw_softmax_mse_backward_f32(pS.floatPointer(), pT.floatPointer(), maskPointer(mask),
                dhS == null ? null : dhS.floatPointer(), dAdapted == null ? null : dAdapted.floatPointer(), rf[0], rf[1], temperature, scale,
                accumulate ? 1 : 0);
    }

    // ---- logits ------------------------------------------------------------------------------------

    /**
     * {@code Σ_tokens CE} over the rows whose target is not {@code ignoreIndex} (in double); logits F32
     * [N,V], targets S32 [N]; dLogits (nullable, may be logits) {@code = scaleForGrad·∂ΣCE/∂logits}.
     */
    public static double crossEntropySum(Tensor logits, Tensor targets, int ignoreIndex, float scaleForGrad, Tensor dLogits) {
        f32("crossEntropySum", "logits", logits);
        if (logits.rank() != 2) throw new IllegalArgumentException("crossEntropySum: logits " + logits.describe() + " must be [N, V]");
        try (Tensor losses = Tensor.allocate("cross-entropy per token", DType.F32, logits.dim(0))) {
            NnKernels.crossEntropy(logits, targets, ignoreIndex, 0f, losses, dLogits, scaleForGrad);
            return sum(losses);
        }
    }

    /**
     * {@code T²·Σ_tokens KL(teacher ‖ student)} over unmasked rows (in double); student, teacher F32
     * [N,V]; mask S32 [N] of 0/1 or null; dStudent (nullable, may be student) {@code = scaleForGrad·∂ΣKL/∂student}.
     */
    public static double klSum(Tensor studentLogits, Tensor teacherLogits, float temperature, Tensor mask, float scaleForGrad,
                               Tensor dStudent) {
        f32("klSum", "studentLogits", studentLogits);
        if (studentLogits.rank() != 2) {
            throw new IllegalArgumentException("klSum: studentLogits " + studentLogits.describe() + " must be [N, V]");
        }
        try (Tensor losses = Tensor.allocate("kl per token", DType.F32, studentLogits.dim(0))) {
            NnKernels.klDivergence(studentLogits, teacherLogits, temperature, mask, losses, dStudent, scaleForGrad);
            return sum(losses);
        }
    }

    /** Label tokens: the entries of targets (S32) that are not {@code ignoreIndex}. */
    public static long countTokens(Tensor targets, int ignoreIndex) {
        if (targets == null) throw new IllegalArgumentException("countTokens: targets is null");
        targets.requireDType(DType.S32);
        long n = 0;
        for (int t : targets.toIntArray()) if (t != ignoreIndex) n++;
        return n;
    }

    /** Rows counted under a mask (S32 0/1; null counts all {@code rows}). */
    public static long countRows(Tensor mask, long rows) {
        if (mask == null) return rows;
        checkMask("countRows", mask, rows);
        long n = 0;
        for (int m : mask.toIntArray()) n += m;
        return n;
    }

    // ---- checks --------------------------------------------------------------------------------------

    private static double sum(Tensor t) {
        double s = 0;
        for (float v : t.toFloatArray()) s += v;
        return s;
    }

    private static long[] rowsAndFeatures(String op, Tensor pS, Tensor pT) {
        f32(op, "pS", pS);
        f32(op, "pT", pT);
        if (pS.rank() < 1 || pS.dim(-1) < 1) throw new IllegalArgumentException(op + ": pS " + pS.describe() + " has no features");
        if (!java.util.Arrays.equals(pS.shape(), pT.shape())) {
            throw new IllegalArgumentException(op + ": pT " + pT.describe() + " must have the shape of pS " + pS.describe()
                    + " (adapt the teacher activations to the student width first)");
        }
        long f = pS.dim(-1);
        return new long[] {pS.numel() / f, f};
    }

    private static void checkMask(String op, Tensor mask, long rows) {
        if (mask == null) return;
        mask.requireDType(DType.S32);
        if (mask.numel() != rows) {
            throw new IllegalArgumentException(op + ": mask " + mask.describe() + " must have one entry per row (" + rows + ")");
        }
        int[] m = mask.toIntArray();
        for (int i = 0; i < m.length; i++) {
            if (m[i] != 0 && m[i] != 1) {
                throw new IllegalArgumentException(op + ": mask value " + m[i] + " at row " + i + " of " + mask.describe() + " is not 0 or 1");
            }
        }
    }

    private static void checkTemperature(float t) {
        if (!(t > 0) || !Float.isFinite(t)) throw new IllegalArgumentException("temperature must be finite and > 0, got " + t);
    }

    private static void f32(String op, String role, Tensor t) {
        if (t == null) throw new IllegalArgumentException(op + ": " + role + " is null");
        t.requireDType(DType.F32);
    }

    private static void disjoint(String op, Tensor out, Tensor... inputs) {
        long o0 = out.address(), o1 = o0 + out.byteSize();
        for (Tensor in : inputs) {
            if (in == null) continue;
            long i0 = in.address(), i1 = i0 + in.byteSize();
            if (o0 < i1 && i0 < o1) {
                throw new IllegalArgumentException(op + ": output " + out.describe() + " overlaps " + in.describe());
            }
        }
    }

    private static IntPointer maskPointer(Tensor mask) {
        return mask == null ? null : mask.intPointer();
    }
}
