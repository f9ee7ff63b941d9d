package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.NnArgumentChecks.disjoint;
import static org.dqwhisper.kernels.NnArgumentChecks.f32;
import static org.dqwhisper.kernels.NnArgumentChecks.finite;
import static org.dqwhisper.kernels.NnArgumentChecks.ptr;
import static org.dqwhisper.kernels.NnArgumentChecks.rank;
import static org.dqwhisper.kernels.NnArgumentChecks.s32;
import static org.dqwhisper.kernels.NnArgumentChecks.sameOrDisjoint;
import static org.dqwhisper.kernels.NnArgumentChecks.shape;

import org.dqwhisper.nativelib.NativeNn;
import org.dqwhisper.tensor.Tensor;

/** Checked cross-entropy and KL-divergence calls behind {@link NnKernels}. */
final class NnLosses {
    private NnLosses() {}

    static void crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing, Tensor losses, Tensor dlogits,
            float scaleForGrad) {
        final String op = "crossEntropy";
        rank(op, "logits", f32(op, "logits", logits), 2);
        long n = logits.dim(0), v = logits.dim(1);
        if (v < 1) throw new IllegalArgumentException(op + ": logits " + logits.describe() + " has no classes");
        shape(op, "targets", s32(op, "targets", targets), n);
        shape(op, "losses", f32(op, "losses", losses), n);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException(op + ": labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        finite(op, "scaleForGrad", scaleForGrad);
        disjoint(op, "losses", losses, "logits", logits);
        disjoint(op, "losses", losses, "targets", targets);
        if (dlogits != null) {
            shape(op, "dlogits", f32(op, "dlogits", dlogits), n, v);
            sameOrDisjoint(op, "dlogits", dlogits, "logits", logits);
            disjoint(op, "dlogits", dlogits, "targets", targets);
            disjoint(op, "dlogits", dlogits, "losses", losses);
        }
        int[] t = targets.toIntArray();
        for (int i = 0; i < t.length; i++) {
            if (t[i] != ignoreIndex && (t[i] < 0 || t[i] >= v)) {
                throw new IllegalArgumentException(op + ": target " + t[i] + " at row " + i + " of " + targets.describe()
                        + " is neither ignoreIndex (" + ignoreIndex + ") nor a class in [0, " + v + ")");
            }
        }
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_cross_entropy_f32(logits.floatPointer(), targets.intPointer(), losses.floatPointer(), ptr(dlogits), n, v,
                ignoreIndex, labelSmoothing, scaleForGrad);
    }

    static void klDivergence(Tensor student, Tensor teacher, float temperature, Tensor mask, Tensor losses, Tensor dStudent,
            float scaleForGrad) {
        final String op = "klDivergence";
        rank(op, "studentLogits", f32(op, "studentLogits", student), 2);
        long n = student.dim(0), v = student.dim(1);
        if (v < 1) throw new IllegalArgumentException(op + ": studentLogits " + student.describe() + " has no classes");
        shape(op, "teacherLogits", f32(op, "teacherLogits", teacher), n, v);
        shape(op, "losses", f32(op, "losses", losses), n);
        if (!(temperature > 0) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException(op + ": temperature must be finite and > 0, got " + temperature);
        }
        finite(op, "scaleForGrad", scaleForGrad);
        if (mask != null) {
            shape(op, "mask", s32(op, "mask", mask), n);
            int[] m = mask.toIntArray();
            for (int i = 0; i < m.length; i++) {
                if (m[i] != 0 && m[i] != 1) {
                    throw new IllegalArgumentException(op + ": mask value " + m[i] + " at row " + i + " of " + mask.describe() + " is not 0 or 1");
                }
            }
        }
        for (Tensor in : new Tensor[] {student, teacher, mask}) disjoint(op, "losses", losses, "an input", in);
        if (dStudent != null) {
            shape(op, "dStudent", f32(op, "dStudent", dStudent), n, v);
            sameOrDisjoint(op, "dStudent", dStudent, "studentLogits", student);
            disjoint(op, "dStudent", dStudent, "teacherLogits", teacher);
            disjoint(op, "dStudent", dStudent, "mask", mask);
            disjoint(op, "dStudent", dStudent, "losses", losses);
        }
        CpuRuntime.ensureLoaded();
        NativeNn.dqw_nn_kl_divergence_f32(student.floatPointer(), teacher.floatPointer(), mask == null ? null : mask.intPointer(),
                losses.floatPointer(), ptr(dStudent), n, v, temperature, scaleForGrad);
    }

    static double logSumExp(float[] x, int from, int to) {
        if (x == null) throw new IllegalArgumentException("logSumExp: null array");
        if (from < 0 || to > x.length || from >= to) {
            throw new IllegalArgumentException("logSumExp: range [" + from + ", " + to + ") is empty or outside the " + x.length
                    + "-entry array");
        }
        CpuRuntime.ensureLoaded();
        return NativeNn.dqw_nn_log_sum_exp_f32(x, from, to);
    }

    static void argmaxLogSoftmax(Tensor logits, int[] tokens, double[] logprobs) {
        final String op = "argmaxLogSoftmax";
        rank(op, "logits", f32(op, "logits", logits), 2);
        long n = logits.dim(0), v = logits.dim(1);
        if (v < 1) throw new IllegalArgumentException(op + ": logits " + logits.describe() + " has no classes");
        if (tokens == null || logprobs == null) throw new IllegalArgumentException(op + ": null output array");
        if (tokens.length != n || logprobs.length != n) {
            throw new IllegalArgumentException(op + ": logits " + logits.describe() + " has " + n + " rows, but the outputs hold " + tokens.length
                    + " tokens and " + logprobs.length + " log-probabilities");
        }
        CpuRuntime.ensureLoaded();
        try (org.bytedeco.javacpp.IntPointer idx = new org.bytedeco.javacpp.IntPointer(n);
                org.bytedeco.javacpp.DoublePointer lp = new org.bytedeco.javacpp.DoublePointer(n)) {
            NativeNn.dqw_nn_argmax_log_softmax_rows_f32(logits.floatPointer(), idx, lp, n, v);
            idx.get(tokens);
            lp.get(logprobs);
        }
    }
}
