package org.dqwhisper.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_SCALES;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;

/**
 * The oneDNN INT8 GEMM for one (M, N, K, bias, gelu): {@code Y[M,N] = (acc(Aq·Wqᵀ) · aScale[m] · wScale[n]
 * (+bias[n])) (→GELU erf)} with S8 Aq [M,K], packed S8 weights and F32 Y.
 *
 * <p>oneDNN 3.13's fast INT8 matmul (brgemm) only takes a per-tensor source scale; a per-row
 * ({@code mask = 1<<0}) source scale, or a per-row binary post-op, sends it to the reference kernel,
 * which is ~1000× slower. So:
 * <ul>
 *   <li>M = 1 (per-row = per-tensor): one matmul, source scale {@code aScale[0]}, weight scales per N, bias,
 *       GELU as an {@code eltwise_gelu_erf} post-op: fully fused.</li>
 *   <li>M &gt; 1: an explicit dequantization sequence of two primitives: the matmul writes
 *       {@code acc · wScale[n]} (f32) into Y, then an in-place {@code binary_mul} by the F32 [M,1] row
 *       scales, with the bias as a {@code binary_add} post-op and GELU as an {@code eltwise_gelu_erf}
 *       post-op (one extra read+write of Y, jit-compiled by oneDNN).</li>
 * </ul>
 * The s32 accumulator is exact either way; only the order of the two scale multiplications differs from
 * the convention's {@code acc·aScale·wScale} (at most a rounding of the f32 product).
 * Buffers are bound per call ({@code set_data_handle}): nothing is copied.
 */
final class OneDnnInt8MatmulPlan implements AutoCloseable {
    private final NativeObjectList objects = new NativeObjectList();
    private final long m;
    private final long n;
    private final boolean fused;
    private final boolean hasBias;
    private final memory.desc weightsDesc;
    private final memory src;
    private final memory wei;
    private final memory dst;
    private final memory weiScale;
    private final memory srcScale; // fused path only
    private final memory bias;
    private final matmul mm;
    private final IntMemoryMap mmArgs;
    private final binary epilogue; // M > 1 only
    private final IntMemoryMap epilogueArgs;
    private final memory rowScale;
    private final memory epilogueSrc;
    private final memory epilogueDst;
    private final String implementation;

    OneDnnInt8MatmulPlan(long m, long n, long k, memory.desc packedWeights, boolean hasBias, boolean gelu) {
        this.m = m;
        this.n = n;
        this.fused = m == 1;
        this.hasBias = hasBias;
        String what = "INT8 matmul [" + m + ", " + k + "] x [" + k + ", " + n + "]" + (hasBias ? " +bias" : "") + (gelu ? " +gelu" : "");
        try {
            var eng = OneDnn.cpuEngine();
            weightsDesc = objects.add(new memory.desc(packedWeights));
            memory.desc srcDesc = OneDnn.desc(objects, new long[] {m, k}, memory.data_type.s8, memory.format_tag.ab);
            memory.desc dstDesc = OneDnn.desc(objects, new long[] {m, n}, memory.data_type.f32, memory.format_tag.ab);
            memory.desc biasDesc = OneDnn.desc(objects, new long[] {1, n}, memory.data_type.f32, memory.format_tag.ab);
            memory.desc nDesc = OneDnn.desc(objects, new long[] {n}, memory.data_type.f32, memory.format_tag.a);

            primitive_attr attr = objects.add(new primitive_attr());
            attr.set_scales_mask(DNNL_ARG_WEIGHTS, 1 << 1); // one scale per column n of [K,N]
            if (fused) {
                attr.set_scales_mask(DNNL_ARG_SRC, 0);
                if (gelu) {
                    post_ops po = objects.add(new post_ops());
                    po.append_eltwise(algorithm.eltwise_gelu_erf, 0f, 0f);
                    attr.set_post_ops(po);
                }
            }
            matmul.primitive_desc pd = objects.add(fused && hasBias
                    ? new matmul.primitive_desc(eng, srcDesc, weightsDesc, biasDesc, dstDesc, attr, false)
                    : new matmul.primitive_desc(eng, srcDesc, weightsDesc, dstDesc, attr, false));
            String impl = OneDnn.implementation(objects, pd, what);
            mm = objects.add(new matmul(pd));
            src = OneDnn.unbound(objects, srcDesc);
            wei = OneDnn.unbound(objects, weightsDesc);
            dst = OneDnn.unbound(objects, dstDesc);
            weiScale = OneDnn.unbound(objects, nDesc);
            bias = hasBias ? OneDnn.unbound(objects, biasDesc) : null;
            mmArgs = objects.add(new IntMemoryMap());
            mmArgs.put(DNNL_ARG_SRC, src).put(DNNL_ARG_WEIGHTS, wei).put(DNNL_ARG_DST, dst)
                    .put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS, weiScale);
            if (fused) {
                srcScale = OneDnn.unbound(objects, OneDnn.desc(objects, new long[] {1}, memory.data_type.f32, memory.format_tag.a));
                mmArgs.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, srcScale);
                if (hasBias) mmArgs.put(DNNL_ARG_BIAS, bias);
                epilogue = null;
                epilogueArgs = null;
                rowScale = null;
                epilogueSrc = null;
                epilogueDst = null;
            } else {
                srcScale = null;
                memory.desc rowDesc = OneDnn.desc(objects, new long[] {m, 1}, memory.data_type.f32, memory.format_tag.ab);
                primitive_attr epAttr = objects.add(new primitive_attr());
                post_ops po = objects.add(new post_ops());
                if (hasBias) po.append_binary(algorithm.binary_add, biasDesc);
                if (gelu) po.append_eltwise(algorithm.eltwise_gelu_erf, 0f, 0f);
                epAttr.set_post_ops(po);
                binary.primitive_desc epd = objects.add(
                        new binary.primitive_desc(eng, algorithm.binary_mul, dstDesc, rowDesc, dstDesc, epAttr, false));
                impl = impl + " + " + OneDnn.implementation(objects, epd, what + " row-scale epilogue");
                epilogue = objects.add(new binary(epd));
                rowScale = OneDnn.unbound(objects, rowDesc);
                epilogueSrc = OneDnn.unbound(objects, dstDesc);
                epilogueDst = OneDnn.unbound(objects, dstDesc);
                epilogueArgs = objects.add(new IntMemoryMap());
                epilogueArgs.put(DNNL_ARG_SRC_0, epilogueSrc).put(DNNL_ARG_SRC_1, rowScale).put(DNNL_ARG_DST, epilogueDst);
                if (hasBias) epilogueArgs.put(OneDnn.postOpArg(0) | DNNL_ARG_SRC_1, bias);
            }
            implementation = impl;
        } catch (RuntimeException e) {
            objects.close();
            throw OneDnn.failure("build the " + what, e);
        }
    }

    /** Weights must have been packed in the layout this plan was built for. */
    boolean accepts(memory.desc packed) {
        return weightsDesc.equals(packed);
    }

    /** Runs on checked, open buffers: aq S8 [M,K], aScale F32 [M], bias F32 [N] (when planned), y F32 [M,N]. */
    void execute(stream strm, Pointer aq, Pointer aScale, OneDnnInt8Weights w, Pointer biasBuffer, Pointer y) {
        src.set_data_handle(aq);
        wei.set_data_handle(w.packedHandle());
        weiScale.set_data_handle(w.scaleHandle());
        dst.set_data_handle(y);
        if (hasBias) bias.set_data_handle(biasBuffer);
        if (fused) {
            srcScale.set_data_handle(aScale);
            mm.execute(strm, mmArgs);
        } else {
            rowScale.set_data_handle(aScale);
            epilogueSrc.set_data_handle(y);
            epilogueDst.set_data_handle(y);
            mm.execute(strm, mmArgs);
            epilogue.execute(strm, epilogueArgs);
        }
        strm._wait();
    }

    long m() {
        return m;
    }

    long n() {
        return n;
    }

    /** oneDNN's implementation names, e.g. "brg_matmul:avx512_core_vnni + jit:uni". */
    String implementation() {
        return implementation;
    }

    @Override
    public void close() {
        objects.close();
    }
}
