package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dqwhisper.kernels.NnTestSupport.Tensors;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments give a Java exception naming the problem, before any native call. */
class NnKernelsMisuseTest {

    private static void rejects(Class<? extends RuntimeException> type, Executable call, String... fragments) {
        RuntimeException e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    private static void rejects(Executable call, String... fragments) {
        rejects(IllegalArgumentException.class, call, fragments);
    }

    @Test
    void layerNormAndActivations() {
        try (Tensors t = new Tensors()) {
            Tensor x = t.named("x", DType.F32, 4, 8), y = t.zeros(4, 8), g = t.named("ln.weight", DType.F32, 7), b = t.zeros(8);
            Tensor g8 = t.zeros(8), ints = t.named("ids", DType.S32, 4, 8), mean = t.zeros(3);
            rejects(() -> NnKernels.layerNorm(x, g, b, 1e-5f, y, null, null), "layerNorm", "gamma", "'ln.weight'", "[8]");
            rejects(() -> NnKernels.layerNorm(null, g8, b, 1e-5f, y, null, null), "layerNorm", "x is null");
            rejects(() -> NnKernels.layerNorm(ints, g8, b, 1e-5f, y, null, null), "layerNorm", "x", "'ids'", "F32");
            rejects(() -> NnKernels.layerNorm(x, g8, b, -1f, y, null, null), "eps");
            rejects(() -> NnKernels.layerNorm(x, g8, b, Float.NaN, y, null, null), "eps");
            rejects(() -> NnKernels.layerNorm(x, g8, b, 1e-5f, y, mean, null), "mean", "4 elements");
            rejects(() -> NnKernels.layerNorm(x, g8, b, 1e-5f, t.zeros(8, 4), null, null), "y", "shape of x");
            // y partially overlapping x: rows 1..4 of a 5-row buffer vs rows 0..3
            Tensor buf = t.zeros(5, 8);
            rejects(() -> NnKernels.layerNorm(buf.rows(0, 4), g8, b, 1e-5f, buf.rows(1, 5), null, null), "partially overlaps");
            rejects(() -> NnKernels.layerNormBackward(y, x, g8, t.zeros(4), t.zeros(4), y, true, null, null), "dx", "overlaps", "dy");
            rejects(() -> NnKernels.layerNormBackward(y, x, g8, t.zeros(4), t.zeros(4), t.zeros(4, 8), false, g8, null), "dgamma",
                    "overlaps");
            rejects(() -> NnKernels.gelu(x, t.zeros(33)), "gelu", "y", "shape of x");
            rejects(() -> NnKernels.geluBackward(x, t.zeros(4, 7), y), "geluBackward", "dy");
            rejects(() -> NnKernels.softmaxRows(x, t.zeros(4, 9)), "softmaxRows", "y");
            rejects(() -> NnKernels.biasAdd(x, t.zeros(4)), "biasAdd", "bias", "[8]");
            rejects(() -> NnKernels.biasGrad(x, t.zeros(9)), "biasGrad", "dbias");
            rejects(() -> NnKernels.add(x, t.zeros(4, 8), t.zeros(2, 16)), "add", "y");
            rejects(() -> NnKernels.softmaxRows(t.zeros(3, 0), t.zeros(3, 0)), "empty last dimension");
            Tensor closed = t.zeros(4, 8);
            closed.close();
            rejects(IllegalStateException.class, () -> NnKernels.gelu(closed, y), "gelu", "closed");
            rejects(IllegalStateException.class, () -> NnKernels.addInto(y, closed), "addInto", "closed");
        }
    }

    @Test
    void attention() {
        try (Tensors t = new Tensors()) {
            Tensor q = t.named("q", DType.F32, 2, 5, 64), k = t.named("k", DType.F32, 2, 7, 64), v = t.zeros(2, 7, 64);
            Tensor out = t.zeros(2, 5, 64), lse = t.zeros(2, 4, 5);
            rejects(() -> NnKernels.attention(q, k, v, 3, -1, out, null), "attention", "not divisible by heads = 3");
            rejects(() -> NnKernels.attention(q, k, v, 0, -1, out, null), "heads must be >= 1");
            Tensor wide = t.zeros(1, 3, 600), wideK = t.zeros(1, 3, 600);
            rejects(() -> NnKernels.attention(wide, wideK, wideK, 2, -1, t.zeros(1, 3, 600), null), "head dimension 300");
            rejects(() -> NnKernels.attention(q, t.zeros(3, 7, 64), t.zeros(3, 7, 64), 4, -1, out, null), "batch 1 (shared) or 2");
            rejects(() -> NnKernels.attention(q, k, v, 4, 3, out, null), "causalOffset 3", "7 keys");
            rejects(() -> NnKernels.attention(q, k, t.zeros(2, 6, 64), 4, -1, out, null), "v", "[2, 7, 64]");
            rejects(() -> NnKernels.attention(q, t.zeros(2, 7, 32), t.zeros(2, 7, 32), 4, -1, out, null), "width");
            rejects(() -> NnKernels.attention(q, k, v, 4, -1, out, t.zeros(2, 5, 4)), "lse", "[2, 4, 5]");
            rejects(() -> NnKernels.attention(q, k, v, 4, -1, q, null), "out", "overlaps");
            rejects(() -> NnKernels.attention(t.zeros(5, 64), k, v, 4, -1, out, null), "q", "rank 3");
            rejects(() -> NnKernels.attention(q, t.zeros(2, 0, 64), t.zeros(2, 0, 64), 4, -1, out, null), "no keys");
            Tensor dq = t.zeros(2, 5, 64), dk = t.zeros(2, 7, 64), dv = t.zeros(2, 7, 64);
            rejects(() -> NnKernels.attentionBackward(q, k, v, out, null, out, 4, -1, dq, dk, dv), "attentionBackward", "lse is null");
            rejects(() -> NnKernels.attentionBackward(q, k, v, out, lse, out, 4, -1, dq, dk, dk), "dk", "overlaps", "dv");
            rejects(() -> NnKernels.attentionBackward(q, k, v, out, lse, out, 4, -1, dq, dk, t.zeros(2, 5, 64)), "dv");
            rejects(() -> NnKernels.attentionBackward(q, k, v, out, lse, out, 4, -1, out, dk, dv), "dq", "overlaps");
        }
    }

    @Test
    void convEmbeddingAndPositional() {
        try (Tensors t = new Tensors()) {
            Tensor x = t.zeros(10, 4), cols = t.zeros(10, 12);
            rejects(() -> NnKernels.im2col1d(x, 0, 1, 1, cols), "kernel must be >= 1");
            rejects(() -> NnKernels.im2col1d(x, 3, 0, 1, cols), "stride must be >= 1");
            rejects(() -> NnKernels.im2col1d(x, 3, 1, -1, cols), "pad must be >= 0");
            rejects(() -> NnKernels.im2col1d(t.zeros(2, 4), 5, 1, 1, t.zeros(1, 20)), "shorter than the kernel");
            rejects(() -> NnKernels.im2col1d(x, 3, 2, 1, cols), "cols", "[5, 12]");
            rejects(() -> NnKernels.col2im1d(cols, 3, 1, 1, t.zeros(10, 5), false), "dcols", "[10, 15]");
            rejects(() -> NnKernels.transpose2d(x, t.zeros(10, 4)), "transpose2d", "[4, 10]");
            rejects(() -> NnKernels.conv1dOutputLength(2, 5, 1, 0), "shorter than the kernel");

            Tensor table = t.named("token_embedding", DType.F32, 10, 6), out = t.zeros(2, 3, 6);
            Tensor ids = t.ints(new int[] {1, 2, 3, 4, 10, 0}, 2, 3);
            rejects(() -> NnKernels.embeddingLookup(table, ids, out), "id 10 at position 4", "[0, 10)", "'token_embedding'");
            Tensor negative = t.ints(new int[] {-1, 2, 3, 4, 5, 0}, 2, 3);
            rejects(() -> NnKernels.embeddingBackward(out, negative, table), "id -1 at position 0");
            Tensor good = t.ints(new int[] {1, 2, 3, 4, 5, 0}, 2, 3);
            rejects(() -> NnKernels.embeddingLookup(table, good, t.zeros(6, 6)), "out", "[2, 3, 6]");
            rejects(() -> NnKernels.embeddingLookup(table, t.zeros(2, 3), out), "ids", "S32");
            Tensor pos = t.zeros(8, 6);
            rejects(() -> NnKernels.addPositional(t.zeros(2, 5, 6), pos, 4), "positions [4, 9)", "outside pos");
            rejects(() -> NnKernels.addPositional(t.zeros(2, 5, 6), pos, -1), "positions [-1, 4)");
            rejects(() -> NnKernels.addPositional(t.zeros(5, 7), pos, 0), "pos", "[*, 7]");
            rejects(() -> NnKernels.addPositionalBackward(t.zeros(2, 5, 6), pos, 4), "outside dpos");
        }
    }

    @Test
    void losses() {
        try (Tensors t = new Tensors()) {
            Tensor logits = t.zeros(3, 5), losses = t.zeros(3), grad = t.zeros(3, 5);
            Tensor targets = t.named("targets", DType.S32, 3);
            targets.copyFrom(new int[] {1, 5, -100});
            rejects(() -> NnKernels.crossEntropy(logits, targets, -100, 0f, losses, grad, 1f), "target 5 at row 1", "ignoreIndex (-100)",
                    "[0, 5)");
            Tensor ok = t.ints(new int[] {1, 4, -100}, 3);
            rejects(() -> NnKernels.crossEntropy(logits, ok, -100, 1.5f, losses, grad, 1f), "labelSmoothing");
            rejects(() -> NnKernels.crossEntropy(logits, ok, -100, 0f, losses, grad, Float.NaN), "scaleForGrad");
            rejects(() -> NnKernels.crossEntropy(logits, ok, -100, 0f, t.zeros(4), grad, 1f), "losses", "[3]");
            rejects(() -> NnKernels.crossEntropy(logits, t.ints(new int[] {1, 2}, 2), -100, 0f, losses, grad, 1f), "targets", "[3]");
            Tensor buf = t.zeros(4, 5);
            Tensor shifted = buf.rows(1, 4);
            rejects(() -> NnKernels.crossEntropy(buf.rows(0, 3), ok, -100, 0f, losses, shifted, 1f), "dlogits", "partially overlaps");

            Tensor teacher = t.zeros(3, 5);
            rejects(() -> NnKernels.klDivergence(logits, teacher, 0f, null, losses, grad, 1f), "temperature");
            rejects(() -> NnKernels.klDivergence(logits, teacher, Float.POSITIVE_INFINITY, null, losses, grad, 1f), "temperature");
            rejects(() -> NnKernels.klDivergence(logits, t.zeros(3, 6), 1f, null, losses, grad, 1f), "teacherLogits", "[3, 5]");
            rejects(() -> NnKernels.klDivergence(logits, teacher, 1f, t.ints(new int[] {1, 2, 0}, 3), losses, grad, 1f),
                    "mask value 2 at row 1");
            rejects(() -> NnKernels.klDivergence(logits, teacher, 1f, t.zeros(3), losses, grad, 1f), "mask", "S32");
            rejects(() -> NnKernels.klDivergence(logits, teacher, 1f, null, losses, teacher, 1f), "dStudent", "overlaps", "teacherLogits");
        }
    }
}
