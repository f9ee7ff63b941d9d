package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.*;

import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input to the INT8 GEMM gives a clear Java exception naming the problem, never a crash. */
class Int8GemmMisuseTest {
    private static void assertMessage(Class<? extends RuntimeException> type, String fragment, Executable call) {
        RuntimeException e = assertThrows(type, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(fragment),
                "message should mention '" + fragment + "': " + e.getMessage());
    }

    private static NativeInt8Weights weights(int n, int k) {
        try (Tensor w = Tensor.allocate("w", DType.F32, n, k)) {
            w.fill(0.25f);
            return NativeInt8Weights.quantize(w);
        }
    }

    @Test
    void shapeAndDtypeMismatchesAreRejected() {
        try (NativeInt8Weights w = weights(8, 16); Tensor aq = Tensor.allocate("aq", DType.S8, 3, 16);
                Tensor aqWrongK = Tensor.allocate("aqWrongK", DType.S8, 3, 15);
                Tensor aqF32 = Tensor.allocate("aqF32", DType.F32, 3, 16); Tensor sa = Tensor.allocate("sa", DType.F32, 3);
                Tensor saWrong = Tensor.allocate("saWrong", DType.F32, 4); Tensor c = Tensor.allocate("c", DType.S32, 3, 8);
                Tensor cWrong = Tensor.allocate("cWrong", DType.S32, 3, 9); Tensor y = Tensor.allocate("y", DType.F32, 3, 8);
                Tensor yS32 = Tensor.allocate("yS32", DType.S32, 3, 8); Tensor bias = Tensor.allocate("bias", DType.F32, 8);
                Tensor biasWrong = Tensor.allocate("biasWrong", DType.F32, 7);
                Tensor x = Tensor.allocate("x", DType.F32, 3, 16); Tensor x3d = Tensor.allocate("x3d", DType.F32, 1, 3, 16)) {
            assertMessage(IllegalArgumentException.class, "aqWrongK", () -> Int8Gemm.gemmS32(aqWrongK, w, c));
            assertMessage(IllegalArgumentException.class, "aqF32", () -> Int8Gemm.gemmS32(aqF32, w, c));
            assertMessage(IllegalArgumentException.class, "cWrong", () -> Int8Gemm.gemmS32(aq, w, cWrong));
            assertMessage(IllegalArgumentException.class, "saWrong", () -> Int8Gemm.gemm(aq, saWrong, w, null, false, y));
            assertMessage(IllegalArgumentException.class, "biasWrong", () -> Int8Gemm.gemm(aq, sa, w, biasWrong, false, y));
            assertMessage(IllegalArgumentException.class, "yS32", () -> Int8Gemm.gemm(aq, sa, w, bias, true, yS32));
            assertMessage(IllegalArgumentException.class, "x3d", () -> Int8Gemm.linear(x3d, w, bias, false, y));
            assertMessage(IllegalArgumentException.class, "biasWrong", () -> Int8Gemm.linear(x, w, biasWrong, false, y));
            assertMessage(IllegalArgumentException.class, "aq", () -> Int8Gemm.quantizeRows(x, aqWrongK, sa));
            assertMessage(IllegalArgumentException.class, "saWrong", () -> Int8Gemm.quantizeRows(x, aq, saWrong));
            // the valid calls still work after all that
            Int8Gemm.quantizeRows(x, aq, sa);
            Int8Gemm.gemmS32(aq, w, c);
            Int8Gemm.linear(x, w, bias, true, y);
        }
    }

    @Test
    void nullArgumentsAreRejected() {
        try (NativeInt8Weights w = weights(8, 16); Tensor aq = Tensor.allocate(DType.S8, 3, 16);
                Tensor sa = Tensor.allocate(DType.F32, 3); Tensor c = Tensor.allocate(DType.S32, 3, 8);
                Tensor y = Tensor.allocate(DType.F32, 3, 8); Tensor x = Tensor.allocate(DType.F32, 3, 16)) {
            assertMessage(IllegalArgumentException.class, "aq", () -> Int8Gemm.gemmS32(null, w, c));
            assertMessage(IllegalArgumentException.class, "weights", () -> Int8Gemm.gemmS32(aq, null, c));
            assertMessage(IllegalArgumentException.class, "'c'", () -> Int8Gemm.gemmS32(aq, w, null));
            assertMessage(IllegalArgumentException.class, "aScale", () -> Int8Gemm.gemm(aq, null, w, null, false, y));
            assertMessage(IllegalArgumentException.class, "'x'", () -> Int8Gemm.linear(null, w, null, false, y));
            assertMessage(IllegalArgumentException.class, "'y'", () -> Int8Gemm.linear(x, w, null, false, null));
            assertMessage(IllegalArgumentException.class, "null", () -> NativeInt8Weights.quantize(null));
            assertMessage(IllegalArgumentException.class, "null", () -> NativeInt8Weights.of(aq, null));
        }
    }

    @Test
    void closedTensorsAndWeightsAreRejected() {
        NativeInt8Weights w = weights(8, 16);
        Tensor x = Tensor.allocate("closedX", DType.F32, 3, 16);
        Tensor y = Tensor.allocate("y", DType.F32, 3, 8);
        x.close();
        assertMessage(IllegalStateException.class, "closedX", () -> Int8Gemm.linear(x, w, null, false, y));
        try (Tensor x2 = Tensor.allocate(DType.F32, 3, 16)) {
            Int8Gemm.linear(x2, w, null, false, y);
            w.close();
            assertMessage(IllegalStateException.class, "closed", () -> Int8Gemm.linear(x2, w, null, false, y));
            assertMessage(IllegalStateException.class, "closed", w::scales);
        } finally {
            y.close();
        }
    }

    @Test
    void badWeightsAreRejected() {
        try (Tensor wq = Tensor.allocate("wq", DType.S8, 4, 8); Tensor nanScales = Tensor.of(new float[] {1, 1, Float.NaN, 1}, 4);
                Tensor shortScales = Tensor.allocate("shortScales", DType.F32, 3); Tensor wF16 = Tensor.allocate("wF16", DType.F16, 4, 8);
                Tensor tooLongK = Tensor.allocate("tooLongK", DType.S8, 1, 131072); Tensor oneScale = Tensor.of(new float[] {1}, 1)) {
            assertMessage(IllegalArgumentException.class, "scale[2]", () -> NativeInt8Weights.of(wq, nanScales));
            assertMessage(IllegalArgumentException.class, "shortScales", () -> NativeInt8Weights.of(wq, shortScales));
            assertMessage(IllegalArgumentException.class, "wF16", () -> NativeInt8Weights.quantize(wF16));
            assertMessage(IllegalArgumentException.class, "131071", () -> NativeInt8Weights.of(tooLongK, oneScale));
        }
    }

    @Test
    void outputsOverlappingInputsAreRejected() {
        try (NativeInt8Weights w = weights(16, 16); Tensor buf = Tensor.allocate("buf", DType.F32, 4, 16)) {
            // y = buf viewed as [4,16] is both the input and the output
            assertMessage(IllegalArgumentException.class, "overlaps", () -> Int8Gemm.linear(buf, w, null, false, buf));
        }
    }

    @Test
    void emptyBatchIsANoOp() {
        try (NativeInt8Weights w = weights(8, 16); Tensor x = Tensor.allocate(DType.F32, 0, 16);
                Tensor y = Tensor.allocate(DType.F32, 0, 8)) {
            Int8Gemm.linear(x, w, null, true, y);
            assertEquals(0, y.numel());
        }
    }
}
