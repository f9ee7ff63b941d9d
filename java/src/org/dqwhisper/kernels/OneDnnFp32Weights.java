package org.dqwhisper.kernels;

import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.dqwhisper.tensor.Tensor;

/**
 * F32 weights {@code W[N,K]} reordered once into the blocked layout oneDNN's FP32 matmul picks
 * ({@code format_tag.any} planned for {@link OneDnnInt8Weights#PACK_M} rows; the matmul accepts it for
 * every M, including the M = 1 GEMV, which would otherwise pick a plain layout). Only usable with a
 * {@link OneDnnGemmBackend}. Close it to free the native memory.
 */
public final class OneDnnFp32Weights implements PackedFp32Weights {
    private final int n;
    private final int k;
    private final NativeObjectList objects;
    private final memory.desc packedDesc;
    private final memory packed;
    private volatile boolean closed;

    private OneDnnFp32Weights(int n, int k, NativeObjectList objects, memory.desc packedDesc, memory packed) {
        this.n = n;
        this.k = k;
        this.objects = objects;
        this.packedDesc = packedDesc;
        this.packed = packed;
    }

    /** Reorders checked F32 {@code w[N,K]} into the matmul's layout. */
    static OneDnnFp32Weights pack(stream strm, Tensor w) {
        int n = (int) w.dim(0);
        int k = (int) w.dim(1);
        NativeObjectList objects = new NativeObjectList();
        try (NativeObjectList planning = new NativeObjectList()) {
            memory.desc packedDesc = objects.add(plannedWeightsDesc(planning, n, k));
            memory.desc userDesc = OneDnn.desc(planning, new long[] {k, n}, memory.data_type.f32, memory.format_tag.ba);
            memory user = OneDnn.unbound(planning, userDesc);
            user.set_data_handle(w.pointer());
            memory packed = OneDnn.allocated(objects, packedDesc);
            reorder r = planning.add(new reorder(user, packed));
            r.execute(strm, user, packed);
            strm._wait();
            return new OneDnnFp32Weights(n, k, objects, packedDesc, packed);
        } catch (RuntimeException e) {
            objects.close();
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) throw e;
            throw OneDnn.failure("pack FP32 weights [" + n + ", " + k + "]", e);
        }
    }

    /** The weights layout oneDNN's FP32 matmul picks for [PACK_M, K] x [K, N]. */
    static memory.desc plannedWeightsDesc(NativeObjectList planning, long n, long k) {
        long m = OneDnnInt8Weights.PACK_M;
        memory.desc src = OneDnn.desc(planning, new long[] {m, k}, memory.data_type.f32, memory.format_tag.ab);
        memory.desc wei = OneDnn.desc(planning, new long[] {k, n}, memory.data_type.f32, memory.format_tag.any);
        memory.desc dst = OneDnn.desc(planning, new long[] {m, n}, memory.data_type.f32, memory.format_tag.ab);
        matmul.primitive_desc pd = planning.add(new matmul.primitive_desc(OneDnn.cpuEngine(), src, wei, dst));
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

    /** Bytes of the packed weights. */
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

    boolean isClosed() {
        return closed;
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("oneDNN FP32 weights [" + n + ", " + k + "] are closed");
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        objects.close();
    }

    @Override
    public String toString() {
        return "OneDnnFp32Weights[n=" + n + ", k=" + k + (closed ? ", closed]" : "]");
    }
}
