package org.dqwhisper.kernels;

import org.dqwhisper.tensor.Tensor;

/**
 * The GEMM seam: our native kernels ({@code NativeGemmBackend}) and the oneDNN baseline
 * ({@code OneDnnGemmBackend}) behind one interface, so tests use one as a second opinion for the
 * other and benchmarks compare them on equal terms.
 *
 * <p>Conventions (PyTorch Linear): weights are {@code W[N,K]} row-major (out × in), activations
 * {@code X[M,K]}, outputs {@code Y[M,N] = X·Wᵀ (+bias) (→GELU)}. INT8: weights symmetric per output
 * channel ({@code scale[n] = max|W[n,:]|/127}), activations per row, dynamic, symmetric
 * ({@code inv = 127f/amax; q = clamp(rint(x*inv), -127, 127); scale = amax/127f}; an all-zero row has
 * scale 0 and q = 0), s32 accumulation, dequantized as {@code acc * aScale[m] * wScale[n]}.
 * GELU is the exact erf form. Every method checks shapes, dtypes and open tensors in Java and throws
 * {@link IllegalArgumentException} / {@link IllegalStateException} naming the problem before any
 * native call.
 */
public interface GemmBackend {
    /** Short name used in benchmark tables: "native", "onednn". */
    String name();

    /** Quantizes F32 {@code W[N,K]} per output channel and prepacks it. */
    PackedInt8Weights packInt8(Tensor w);

    /** Prepacks already-quantized S8 {@code Wq[N,K]} with F32 {@code scales[N]}. */
    PackedInt8Weights packInt8(Tensor wq, Tensor scales);

    /** {@code Y = dequant(Aq · Wqᵀ) (+bias) (→GELU)}: Aq S8 [M,K], aScale F32 [M], y F32 [M,N]; bias may be null. */
    void int8Gemm(Tensor aq, Tensor aScale, PackedInt8Weights w, Tensor bias, boolean gelu, Tensor y);

    /** The whole INT8 Linear: quantize rows of F32 X [M,K], INT8 GEMM, fused epilogue, into F32 Y [M,N]. */
    void int8Linear(Tensor x, PackedInt8Weights w, Tensor bias, boolean gelu, Tensor y);

    /** Prepacks F32 {@code W[N,K]} for {@link #fp32Linear}. */
    PackedFp32Weights packFp32(Tensor w);

    /** {@code Y = X · Wᵀ (+bias) (→GELU)} in FP32. */
    void fp32Linear(Tensor x, PackedFp32Weights w, Tensor bias, boolean gelu, Tensor y);

    /**
     * General FP32 GEMM {@code C (+)= op(A) · op(B)} with {@code op} = transpose when the flag is set:
     * A is [M,K] (or [K,M] when transposed), B is [K,N] (or [N,K]), C is [M,N].
     */
    void sgemm(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c, boolean accumulate);
}
