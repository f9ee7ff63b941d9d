package org.dqwhisper.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;

/**
 * One oneDNN FP32 matmul {@code C[M,N] (+)= A[M,K] · B[K,N] (+bias) (→GELU erf)}, in one of two forms:
 * <ul>
 *   <li>{@link #linear}: B is a packed {@link OneDnnFp32Weights} (blocked layout), optional bias
 *       ({@code DNNL_ARG_BIAS}, [1,N]) and an {@code eltwise_gelu_erf} post-op;</li>
 *   <li>{@link #sgemm}: A and B in their caller's row-major storage, transposition expressed by the
 *       strides of their memory descriptors ({@code op(A)} stored [K,M] has strides {1, M}); accumulation
 *       into C by a {@code sum} post-op ({@code C = C + A·B}).</li>
 * </ul>
 * Buffers are bound per call ({@code set_data_handle}): nothing is copied.
 */
final class OneDnnFp32MatmulPlan implements AutoCloseable {
    private final NativeObjectList objects = new NativeObjectList();
    private final memory.desc weightsDesc;
    private final memory src;
    private final memory wei;
    private final memory dst;
    private final memory bias;
    private final matmul mm;
    private final IntMemoryMap args;
    private final String implementation;

    private OneDnnFp32MatmulPlan(String what, long m, long n, long k, long[] aStrides, long[] bStrides,
            memory.desc packedWeights, boolean hasBias, boolean gelu, boolean accumulate) {
        try {
            var eng = OneDnn.cpuEngine();
            memory.desc srcDesc = OneDnn.strided(objects, new long[] {m, k}, memory.data_type.f32, aStrides);
            weightsDesc = packedWeights != null ? objects.add(new memory.desc(packedWeights))
                    : OneDnn.strided(objects, new long[] {k, n}, memory.data_type.f32, bStrides);
            memory.desc dstDesc = OneDnn.desc(objects, new long[] {m, n}, memory.data_type.f32, memory.format_tag.ab);
            memory.desc biasDesc = OneDnn.desc(objects, new long[] {1, n}, memory.data_type.f32, memory.format_tag.ab);
            primitive_attr attr = objects.add(new primitive_attr());
            post_ops po = objects.add(new post_ops());
            if (accumulate) po.append_sum();
            if (gelu) po.append_eltwise(algorithm.eltwise_gelu_erf, 0f, 0f);
            attr.set_post_ops(po);
            matmul.primitive_desc pd = objects.add(hasBias
                    ? new matmul.primitive_desc(eng, srcDesc, weightsDesc, biasDesc, dstDesc, attr, false)
                    : new matmul.primitive_desc(eng, srcDesc, weightsDesc, dstDesc, attr, false));
            implementation = OneDnn.implementation(objects, pd, what);
            mm = objects.add(new matmul(pd));
            src = OneDnn.unbound(objects, srcDesc);
            wei = OneDnn.unbound(objects, weightsDesc);
            dst = OneDnn.unbound(objects, dstDesc);
            bias = hasBias ? OneDnn.unbound(objects, biasDesc) : null;
            args = objects.add(new IntMemoryMap()).put(DNNL_ARG_SRC, src).put(DNNL_ARG_WEIGHTS, wei).put(DNNL_ARG_DST, dst);
            if (hasBias) args.put(DNNL_ARG_BIAS, bias);
        } catch (RuntimeException e) {
            objects.close();
            throw OneDnn.failure("build the " + what, e);
        }
    }

    /** {@code Y[M,N] = X[M,K] · Wᵀ (+bias) (→GELU)} with packed weights of layout {@code packedWeights}. */
    static OneDnnFp32MatmulPlan linear(long m, long n, long k, memory.desc packedWeights, boolean hasBias, boolean gelu) {
        String what = "FP32 matmul [" + m + ", " + k + "] x packed [" + k + ", " + n + "]" + (hasBias ? " +bias" : "") + (gelu ? " +gelu" : "");
        return new OneDnnFp32MatmulPlan(what, m, n, k, new long[] {k, 1}, null, packedWeights, hasBias, gelu, false);
    }

    /** {@code C[M,N] (+)= op(A) · op(B)}; A stored [M,K] or (transA) [K,M], B stored [K,N] or (transB) [N,K]. */
    static OneDnnFp32MatmulPlan sgemm(long m, long n, long k, boolean transA, boolean transB, boolean accumulate) {
        String what = "sgemm " + (transA ? "Aᵀ" : "A") + "[" + m + ", " + k + "] x " + (transB ? "Bᵀ" : "B") + "[" + k + ", " + n + "]"
                + (accumulate ? " +=C" : "");
        long[] aStrides = transA ? new long[] {1, m} : new long[] {k, 1};
        long[] bStrides = transB ? new long[] {1, k} : new long[] {n, 1};
        return new OneDnnFp32MatmulPlan(what, m, n, k, aStrides, bStrides, null, false, false, accumulate);
    }

    boolean accepts(memory.desc packed) {
        return weightsDesc.equals(packed);
    }

    /** Runs on checked, open buffers. {@code b} is the packed weights' buffer for {@link #linear} plans. */
    void execute(stream strm, Pointer a, Pointer b, Pointer biasBuffer, Pointer c) {
        src.set_data_handle(a);
        wei.set_data_handle(b);
        dst.set_data_handle(c);
        if (bias != null) bias.set_data_handle(biasBuffer);
        mm.execute(strm, args);
        strm._wait();
    }

    String implementation() {
        return implementation;
    }

    @Override
    public void close() {
        objects.close();
    }
}
