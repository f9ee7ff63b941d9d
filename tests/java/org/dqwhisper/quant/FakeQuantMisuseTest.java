package org.dqwhisper.quant;

import static org.junit.jupiter.api.Assertions.*;

import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments give exceptions that name the problem, before any native call. */
class FakeQuantMisuseTest {
    @Test
    void rejectsBadConstructionArguments() {
        assertThrows(IllegalArgumentException.class, () -> FakeQuant.forWeights(null, 2, 2));
        assertMessage(IllegalArgumentException.class, () -> FakeQuant.forWeights(QuantConfig.NONE, 2, 2), "quantizes nothing");
        assertMessage(IllegalArgumentException.class, () -> FakeQuant.forWeights(QuantConfig.paperDefault(), 0, 2), "[0, 2]");
        assertMessage(IllegalArgumentException.class, () -> FakeQuant.forWeights(QuantConfig.paperDefault(), 2, 1L << 31), "2^31-1");
    }

    @Test
    void rejectsWrongTensors() {
        try (FakeQuant fq = FakeQuant.forWeights(QuantConfig.parse("w4g32"), 3, 40); Tensor w = Tensor.allocate("w", DType.F32, 3, 40);
                Tensor wrongShape = Tensor.allocate("small", DType.F32, 3, 39); Tensor wrongType = Tensor.allocate("bf", DType.BF16, 3, 40);
                Tensor out = Tensor.allocate("out", DType.F32, 3, 40); Tensor big = Tensor.allocate("big", DType.F32, 6, 40)) {
            w.fill(0.5f);
            assertMessage(IllegalArgumentException.class, () -> fq.forward(wrongShape, out), "small");
            assertMessage(IllegalArgumentException.class, () -> fq.forward(w, wrongType), "must be F32 [3, 40]");
            assertMessage(IllegalArgumentException.class, () -> fq.forward(null, out), "w is null");
            Tensor overlapping = big.rows(1, 4);
            Tensor source = big.rows(0, 3);
            assertMessage(IllegalArgumentException.class, () -> fq.forward(source, overlapping), "overlaps");
            assertMessage(IllegalStateException.class, () -> fq.backward(w, out, out, false), "call forward first");
            assertMessage(IllegalStateException.class, () -> fq.codes(w, out), "call forward first");
            fq.forward(w, out);
            assertMessage(IllegalArgumentException.class, () -> fq.backward(w, out, w, false), "overlaps");
            try (Tensor codes = Tensor.allocate(DType.U8, 3, 40)) {
                assertMessage(IllegalArgumentException.class, () -> fq.codes(w, codes), "expected dtype S8");
            }
            assertMessage(IllegalStateException.class, () -> fq.initScale(w), "initScale is for LSQ");
            Tensor closed = Tensor.allocate(DType.F32, 3, 40);
            closed.close();
            assertMessage(IllegalStateException.class, () -> fq.forward(closed, out), "closed");
        }
    }

    @Test
    void lsqNeedsPositiveScales() {
        try (FakeQuant fq = FakeQuant.forWeights(QuantConfig.parse("w8c:lsq"), 2, 8); Tensor w = Tensor.allocate(DType.F32, 2, 8);
                Tensor out = Tensor.allocate(DType.F32, 2, 8)) {
            w.fill(1f);
            assertMessage(IllegalStateException.class, () -> fq.forward(w, out), "initialise the scales");
            fq.scale().copyFrom(new float[] {0.1f, -0.1f});
            assertMessage(IllegalStateException.class, () -> fq.forward(w, out), "scale[1] = -0.1");
            fq.scale().copyFrom(new float[] {0.1f, Float.NaN});
            assertMessage(IllegalStateException.class, () -> fq.forward(w, out), "scale[1] = NaN");
            fq.initScale(w);
            fq.forward(w, out);
        }
    }

    @Test
    void closedQuantizerAndBadActivations() {
        FakeQuant fq = FakeQuant.forWeights(QuantConfig.paperDefault(), 2, 2);
        fq.close();
        fq.close(); // idempotent
        try (Tensor w = Tensor.allocate(DType.F32, 2, 2)) {
            assertMessage(IllegalStateException.class, () -> fq.forward(w, w), "is closed");
        }
        try (Tensor x = Tensor.allocate(DType.F32, 2, 3); Tensor y = Tensor.allocate(DType.F32, 3, 2);
                Tensor empty = Tensor.allocate(DType.F32, 2, 0); Tensor s8 = Tensor.allocate(DType.S8, 2, 3)) {
            assertMessage(IllegalArgumentException.class, () -> FakeQuant.activations(x, y), "must have the shape");
            assertMessage(IllegalArgumentException.class, () -> FakeQuant.activations(empty, empty), "no features");
            assertMessage(IllegalArgumentException.class, () -> FakeQuant.activations(s8, x), "expected dtype F32");
            assertThrows(IllegalArgumentException.class, () -> FakeQuant.activations(null, x));
        }
    }

    static void assertMessage(Class<? extends Throwable> type, Executable call, String fragment) {
        Throwable t = assertThrows(type, call);
        assertTrue(t.getMessage() != null && t.getMessage().contains(fragment), "message '" + t.getMessage() + "' lacks '" + fragment + "'");
    }
}
