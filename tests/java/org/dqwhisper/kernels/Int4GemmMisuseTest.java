package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.*;

import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments give exceptions naming the problem, before any native call. */
class Int4GemmMisuseTest {
    static void assertMessage(Class<? extends Throwable> type, Executable call, String fragment) {
        Throwable t = assertThrows(type, call);
        assertTrue(t.getMessage() != null && t.getMessage().contains(fragment), "message '" + t.getMessage() + "' lacks '" + fragment + "'");
    }

    @Test
    void rejectsBadWeights() {
        try (Tensor nib = Tensor.allocate("nib", DType.U8, 4, 50); Tensor sc = Tensor.allocate("sc", DType.F32, 4, 4);
                Tensor w = Tensor.allocate("w", DType.F32, 4, 100); Tensor codes = Tensor.of(new byte[] {1, 9}, 1, 2)) {
            nib.copyFrom(new byte[200]);
            sc.fill(1f);
            w.fill(0.5f);
            assertMessage(IllegalArgumentException.class, () -> NativeInt4Weights.of(nib, sc, 100, 30), "multiple of 4");
            assertMessage(IllegalArgumentException.class, () -> NativeInt4Weights.of(nib, sc, 100, 2), "multiple of 4");
            assertMessage(IllegalArgumentException.class, () -> NativeInt4Weights.of(nib, sc, 100, 64), "sc");
            assertMessage(IllegalArgumentException.class, () -> NativeInt4Weights.of(nib, sc, 98, 32), "nib");
            assertMessage(IllegalArgumentException.class, () -> NativeInt4Weights.of(nib, sc, 0, 32), "K = 0");
            assertMessage(IllegalArgumentException.class, () -> NativeInt4Weights.of(null, sc, 100, 32), "nibbles tensor is null");
            float[] bad = new float[16];
            bad[5] = Float.NaN;
            sc.copyFrom(bad);
            assertMessage(IllegalArgumentException.class, () -> NativeInt4Weights.of(nib, sc, 100, 32), "scale[1][1] = NaN");
            assertMessage(IllegalArgumentException.class, () -> NativeInt4Weights.packNibbles(codes), "code 9 at [0][1]");
            assertMessage(IllegalArgumentException.class, () -> NativeInt4Weights.quantize(w, 8, 32), "bits must be 2..4");
            assertMessage(IllegalArgumentException.class, () -> NativeInt4Weights.quantize(w, 4, 6), "multiple of 4");
            assertMessage(IllegalArgumentException.class, () -> NativeInt4Weights.quantize(nib, 4, 32), "expected dtype F32");
        }
    }

    @Test
    void rejectsBadGemmArguments() {
        try (Tensor w = Tensor.allocate("w", DType.F32, 8, 64); NativeInt4Weights wts = NativeInt4Weights.quantize(w, 4, 32);
                Tensor x = Tensor.allocate("x", DType.F32, 3, 64); Tensor xBad = Tensor.allocate("xBad", DType.F32, 3, 63);
                Tensor y = Tensor.allocate("y", DType.F32, 3, 8); Tensor yBad = Tensor.allocate("yBad", DType.F32, 3, 9);
                Tensor aq = Tensor.allocate("aq", DType.S8, 3, 64); Tensor as = Tensor.allocate("as", DType.F32, 2);
                Tensor c = Tensor.allocate("c", DType.S32, 3, 8, 1); Tensor bias = Tensor.allocate("bias", DType.F32, 7)) {
            assertMessage(IllegalArgumentException.class, () -> Int4Gemm.linear(xBad, wts, null, false, y), "xBad");
            assertMessage(IllegalArgumentException.class, () -> Int4Gemm.linear(x, wts, null, false, yBad), "yBad");
            assertMessage(IllegalArgumentException.class, () -> Int4Gemm.linear(x, wts, bias, false, y), "bias");
            assertMessage(IllegalArgumentException.class, () -> Int4Gemm.linear(x, null, null, false, y), "weights are null");
            assertMessage(IllegalArgumentException.class, () -> Int4Gemm.gemm(aq, as, wts, null, false, y), "as");
            assertMessage(IllegalArgumentException.class, () -> Int4Gemm.gemmGroupS32(aq, wts, c), "c");
            try (Tensor big = Tensor.allocate(DType.F32, 3, 64)) {
                Tensor overlapping = big.reshape(24, 8).rows(0, 3); // [3, 8] inside x's memory
                assertMessage(IllegalArgumentException.class, () -> Int4Gemm.linear(big, wts, null, false, overlapping), "overlaps");
            }
            wts.close();
            assertMessage(IllegalStateException.class, () -> Int4Gemm.linear(x, wts, null, false, y), "closed");
            assertMessage(IllegalStateException.class, wts::scales, "closed");
        }
    }
}
