package org.dqwhisper.kernels;

import org.dqwhisper.tensor.Tensor;

/** Our hand-written kernels ({@link Int8Gemm}, {@link Fp32Gemm}) behind the {@link GemmBackend} seam. */
public final class NativeGemmBackend implements GemmBackend {
    @Override
    public String name() {
        return "native";
    }

    @Override
    public PackedInt8Weights packInt8(Tensor w) {
        return NativeInt8Weights.quantize(w);
    }

    @Override
    public PackedInt8Weights packInt8(Tensor wq, Tensor scales) {
        return NativeInt8Weights.of(wq, scales);
    }

    @Override
    public void int8Gemm(Tensor aq, Tensor aScale, PackedInt8Weights w, Tensor bias, boolean gelu, Tensor y) {
        Int8Gemm.gemm(aq, aScale, own(w), bias, gelu, y);
    }

    @Override
    public void int8Linear(Tensor x, PackedInt8Weights w, Tensor bias, boolean gelu, Tensor y) {
        Int8Gemm.linear(x, own(w), bias, gelu, y);
    }

    @Override
    public PackedFp32Weights packFp32(Tensor w) {
        return NativeFp32Weights.pack(w);
    }

    @Override
    public void fp32Linear(Tensor x, PackedFp32Weights w, Tensor bias, boolean gelu, Tensor y) {
        if (!(w instanceof NativeFp32Weights nw)) {
            throw new IllegalArgumentException("FP32 weights packed by backend '" + (w == null ? null : w.backend()) + "' passed to the native backend");
        }
        Fp32Gemm.linear(x, nw, bias, gelu, y);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c, boolean accumulate) {
        Fp32Gemm.sgemm(transA, transB, a, b, c, accumulate);
    }

    private static NativeInt8Weights own(PackedInt8Weights w) {
        if (!(w instanceof NativeInt8Weights nw)) {
            throw new IllegalArgumentException("INT8 weights packed by backend '" + (w == null ? null : w.backend()) + "' passed to the native backend");
        }
        return nw;
    }
}
