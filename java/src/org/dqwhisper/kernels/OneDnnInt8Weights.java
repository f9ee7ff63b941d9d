package org.dqwhisper.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.dqwhisper.tensor.Tensor;

/**
 * S8 weights {@code Wq[N,K]} reordered once into the blocked layout oneDNN's INT8 matmul picks (with
 * the s8-source compensation it appends), plus their per-output-channel scales as a oneDNN memory.
 * The layout is chosen for a representative M ({@link #PACK_M}); the matmul accepts it for every M.
 * Only usable with a {@link OneDnnGemmBackend}. Close it to free the native memory.
 */
public final class OneDnnInt8Weights implements PackedInt8Weights {
    /** Rows the packing primitive is planned for: brgemm picks the same blocked layout for every M ≥ 2 and accepts it for M = 1. */
    static final long PACK_M = 256;

    private final int n;
    private final int k;
    private final float[] scales;
    private final NativeObjectList objects;
    private final memory.desc packedDesc;
    private final memory packed;
    private final memory scaleMemory;
    private volatile boolean closed;

    private OneDnnInt8Weights(int n, int k, float[] scales, NativeObjectList objects, memory.desc packedDesc,
            memory packed, memory scaleMemory) {
        this.n = n;
        this.objects = objects;
        this.k = k;
        this.scales = scales;
        this.packedDesc = packedDesc;
        this.packed = packed;
        this.scaleMemory = scaleMemory;
    }

    /** Reorders checked S8 {@code wq[N,K]} into the matmul's layout; {@code scales} has N finite, non-negative entries. */
    static OneDnnInt8Weights pack(stream strm, Tensor wq, float[] scales) {
        int n = (int) wq.dim(0);
        int k = (int) wq.dim(1);
        NativeObjectList objects = new NativeObjectList();
        try (NativeObjectList planning = new NativeObjectList()) {
            memory.desc packedDesc = objects.add(plannedWeightsDesc(planning, n, k));
            // W[N,K] row-major is the [K,N] matrix the matmul wants, stored column-major: tag "ba".
            memory.desc userDesc = OneDnn.desc(planning, new long[] {k, n}, memory.data_type.s8, memory.format_tag.ba);
            memory user = OneDnn.unbound(planning, userDesc);
            user.set_data_handle(wq.pointer());
            memory packed = OneDnn.allocated(objects, packedDesc);
            reorder r = planning.add(new reorder(user, packed));
            r.execute(strm, user, packed);
            strm._wait();
            memory scaleMemory = OneDnn.allocated(objects,
                    OneDnn.desc(objects, new long[] {n}, memory.data_type.f32, memory.format_tag.a));
            try (FloatPointer sp = new FloatPointer(scaleMemory.get_data_handle())) {
                sp.put(scales, 0, n);
            }
            return new OneDnnInt8Weights(n, k, scales.clone(), objects, packedDesc, packed, scaleMemory);
        } catch (RuntimeException e) {
            objects.close();
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) throw e;
            throw OneDnn.failure("pack INT8 weights [" + n + ", " + k + "]", e);
        }
    }

    /** The weights layout oneDNN's INT8 matmul (s8 source, per-N weight scales) picks for [PACK_M, K] x [K, N]. */
    static memory.desc plannedWeightsDesc(NativeObjectList planning, long n, long k) {
        memory.desc src = OneDnn.desc(planning, new long[] {PACK_M, k}, memory.data_type.s8, memory.format_tag.ab);
        memory.desc wei = OneDnn.desc(planning, new long[] {k, n}, memory.data_type.s8, memory.format_tag.any);
        memory.desc dst = OneDnn.desc(planning, new long[] {PACK_M, n}, memory.data_type.f32, memory.format_tag.ab);
        primitive_attr attr = planning.add(new primitive_attr());
        attr.set_scales_mask(DNNL_ARG_WEIGHTS, 1 << 1);
        matmul.primitive_desc pd = planning.add(new matmul.primitive_desc(OneDnn.cpuEngine(), src, wei, dst, attr, false));
        return pd.weights_desc(); // a clone owned by the caller (query_md clones in oneDNN 3.x)
    }

    @Override
    public int n() {
        return n;
    }

    @Override
    public int k() {
        return k;
    }

    @Override
    public String backend() {
        return OneDnnGemmBackend.NAME;
    }

    @Override
    public float[] scales() {
        checkOpen();
        return scales.clone();
    }

    /** Bytes of the packed weights (with compensation). */
    public long packedBytes() {
        checkOpen();
        return packedDesc.get_size();
    }

    memory.desc packedDesc() {
        checkOpen();
        return packedDesc;
    }

    Pointer packedHandle() {
        checkOpen();
        return packed.get_data_handle();
    }

    Pointer scaleHandle() {
        checkOpen();
        return scaleMemory.get_data_handle();
    }

    boolean isClosed() {
        return closed;
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("oneDNN INT8 weights [" + n + ", " + k + "] are closed");
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        objects.close();
    }

    @Override
    public String toString() {
        return "OneDnnInt8Weights[n=" + n + ", k=" + k + (closed ? ", closed]" : "]");
    }
}
