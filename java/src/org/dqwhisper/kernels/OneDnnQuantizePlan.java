package org.dqwhisper.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reduction;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Dynamic per-row symmetric quantization of F32 X [M,K] to S8 with oneDNN primitives, for one (M, K):
 * <ol>
 *   <li>two {@code reduction} primitives ({@code reduction_max}, {@code reduction_min}) over K give each
 *       row's max and min; {@code amax = max(max, -min)} (exact); for K = 1 (oneDNN has no empty
 *       reduction) the M values are read directly;</li>
 *   <li>Java computes the M row factors of the convention, {@code inv = 127f/amax} and
 *       {@code scale = amax/127f} (0 and 0 for an all-zero row): O(M) work, no pass over X;</li>
 *   <li>a {@code binary_mul} of X by the F32 [M,1] column {@code inv} with an S8 destination computes
 *       {@code q = saturate(rint(x·inv))} (f32 product, round-half-even as {@link Math#rint});
 *       {@code |x·inv| < 127.5}, so the saturation never reaches -128 and this equals the convention's
 *       clamp to [-127, 127]. (A {@code reorder} with per-row scales gives the same bytes at about twice
 *       the time.)</li>
 * </ol>
 * The result is bit-identical to the convention in {@link GemmBackend}. Owns scratch for the row
 * max/min and factors; the S8 output and scales are either the caller's buffers or this plan's own
 * ({@link #ownQuantized()}/{@link #ownScales()}, allocated on first use, for {@code int8Linear}).
 */
final class OneDnnQuantizePlan implements AutoCloseable {
    private final NativeObjectList objects = new NativeObjectList();
    private final int m;
    private final long k;
    private final memory.desc quantizedDesc;
    private final memory.desc rowsDesc;
    private final memory x;
    private final memory q;
    private final memory invMemory;
    private final reduction maxOp; // null when K = 1: nothing to reduce (oneDNN rejects an empty reduction)
    private final reduction minOp;
    private final binary quantizeOp;
    private final IntMemoryMap maxArgs;
    private final IntMemoryMap minArgs;
    private final IntMemoryMap quantizeArgs;
    private final FloatPointer rowMax;
    private final FloatPointer rowMin;
    private final FloatPointer inv;
    private final float[] maxValues;
    private final float[] minValues;
    private final float[] invValues;
    private final float[] scaleValues;
    private memory ownQuantized;
    private memory ownScales;

    OneDnnQuantizePlan(int m, long k) {
        this.m = m;
        this.k = k;
        String what = "quantize F32 [" + m + ", " + k + "] rows to S8";
        try {
            var eng = OneDnn.cpuEngine();
            memory.desc xDesc = OneDnn.desc(objects, new long[] {m, k}, memory.data_type.f32, memory.format_tag.ab);
            quantizedDesc = OneDnn.desc(objects, new long[] {m, k}, memory.data_type.s8, memory.format_tag.ab);
            memory.desc colDesc = OneDnn.desc(objects, new long[] {m, 1}, memory.data_type.f32, memory.format_tag.ab);
            rowsDesc = OneDnn.desc(objects, new long[] {m}, memory.data_type.f32, memory.format_tag.a);

            if (k > 1) {
                reduction.primitive_desc maxPd = objects.add(new reduction.primitive_desc(eng, algorithm.reduction_max, xDesc, colDesc, 0f, 0f));
                reduction.primitive_desc minPd = objects.add(new reduction.primitive_desc(eng, algorithm.reduction_min, xDesc, colDesc, 0f, 0f));
                OneDnn.implementation(objects, maxPd, what + " (row max)");
                maxOp = objects.add(new reduction(maxPd));
                minOp = objects.add(new reduction(minPd));
            } else {
                maxOp = null;
                minOp = null;
            }
            binary.primitive_desc qPd = objects.add(new binary.primitive_desc(eng, algorithm.binary_mul, xDesc, colDesc, quantizedDesc));
            OneDnn.implementation(objects, qPd, what);
            quantizeOp = objects.add(new binary(qPd));

            x = OneDnn.unbound(objects, xDesc);
            q = OneDnn.unbound(objects, quantizedDesc);
            memory maxMemory = OneDnn.allocated(objects, colDesc);
            memory minMemory = OneDnn.allocated(objects, colDesc);
            invMemory = OneDnn.allocated(objects, colDesc);
            rowMax = objects.add(new FloatPointer(maxMemory.get_data_handle()));
            rowMin = objects.add(new FloatPointer(minMemory.get_data_handle()));
            inv = objects.add(new FloatPointer(invMemory.get_data_handle()));
            maxArgs = objects.add(new IntMemoryMap()).put(DNNL_ARG_SRC, x).put(DNNL_ARG_DST, maxMemory);
            minArgs = objects.add(new IntMemoryMap()).put(DNNL_ARG_SRC, x).put(DNNL_ARG_DST, minMemory);
            quantizeArgs = objects.add(new IntMemoryMap()).put(DNNL_ARG_SRC_0, x).put(DNNL_ARG_SRC_1, invMemory).put(DNNL_ARG_DST, q);
        } catch (RuntimeException e) {
            objects.close();
            throw OneDnn.failure(what, e);
        }
        maxValues = new float[m];
        minValues = new float[m];
        invValues = new float[m];
        scaleValues = new float[m];
    }

    /** Quantizes checked F32 x [M,K] into S8 {@code quantized} [M,K] and F32 {@code scales} [M]. */
    void execute(stream strm, Pointer xBuffer, Pointer quantized, Pointer scales) {
        x.set_data_handle(xBuffer);
        q.set_data_handle(quantized);
        if (maxOp != null) {
            maxOp.execute(strm, maxArgs);
            minOp.execute(strm, minArgs);
            strm._wait();
            rowMax.get(maxValues, 0, m);
            rowMin.get(minValues, 0, m);
        } else {
            try (FloatPointer xs = new FloatPointer(xBuffer)) { // K = 1: each row's only element is its max and min
                xs.get(maxValues, 0, m);
            }
            System.arraycopy(maxValues, 0, minValues, 0, m);
        }
        for (int i = 0; i < m; i++) {
            float amax = Math.max(maxValues[i], -minValues[i]);
            if (amax > 0f) {
                invValues[i] = 127f / amax;
                scaleValues[i] = amax / 127f;
            } else {
                invValues[i] = 0f;
                scaleValues[i] = 0f;
            }
        }
        inv.put(invValues, 0, m);
        try (FloatPointer out = new FloatPointer(scales)) {
            out.put(scaleValues, 0, m);
        }
        quantizeOp.execute(strm, quantizeArgs);
        strm._wait();
    }

    /** This plan's own S8 [M,K] buffer (allocated on first use). */
    Pointer ownQuantized() {
        if (ownQuantized == null) ownQuantized = OneDnn.allocated(objects, quantizedDesc);
        return ownQuantized.get_data_handle();
    }

    /** This plan's own F32 [M] scale buffer (allocated on first use). */
    Pointer ownScales() {
        if (ownScales == null) ownScales = OneDnn.allocated(objects, rowsDesc);
        return ownScales.get_data_handle();
    }

    long k() {
        return k;
    }

    @Override
    public void close() {
        objects.close();
    }
}
