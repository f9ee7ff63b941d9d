package org.dqwhisper.kernels;

import org.bytedeco.javacpp.Pointer;
import org.dqwhisper.nativelib.NativeInt8Gemm;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * INT8 Linear weights {@code W[N,K]} packed once for the native INT8 GEMM ({@link Int8Gemm}), with
 * their per-output-channel scales. The pack is one layout for every ISA path (forcing another path
 * later keeps it valid). Owns off-heap memory: {@link #close()} it when done (a forgotten one is freed
 * when unreachable). Read-only after construction, so one instance may serve several threads at
 * once; it must not be closed while a GEMM uses it.
 */
public final class NativeInt8Weights implements PackedInt8Weights {
    private final int n;
    private final int k;
    private final Tensor packed; // U8, dqw_int8_packed_bytes(n, k) bytes
    private final Tensor scales; // F32 [N]
    private volatile boolean closed;

    private NativeInt8Weights(int n, int k, Tensor packed, Tensor scales) {
        this.n = n;
        this.k = k;
        this.packed = packed;
        this.scales = scales;
    }

    /**
     * Quantizes F32 {@code w[N,K]} per output channel (symmetric, the row formula of
     * {@link Int8Gemm#quantizeRows}: {@code scale[n] = max|w[n,:]|/127}, {@code q = clamp(rint(w *
     * (127/amax)), -127, 127)}) and packs it.
     */
    public static NativeInt8Weights quantize(Tensor w) {
        if (w == null) throw new IllegalArgumentException("weights tensor is null");
        w.requireShape(DType.F32, -1, -1);
        checkDims(w);
        int nn = (int) w.dim(0), kk = (int) w.dim(1);
        try (Tensor q = Tensor.allocate("quantized " + label(w), DType.S8, nn, kk);
                Tensor s = Tensor.allocate("scales of " + label(w), DType.F32, nn)) {
            Int8Gemm.quantizeRows(w, q, s);
            return of(q, s);
        }
    }

    /** Packs already-quantized S8 {@code wq[N,K]} with F32 {@code scales[N]} (finite, copied). */
    public static NativeInt8Weights of(Tensor wq, Tensor scales) {
        if (wq == null) throw new IllegalArgumentException("quantized weights tensor is null");
        if (scales == null) throw new IllegalArgumentException("weight scales tensor is null");
        wq.requireShape(DType.S8, -1, -1);
        checkDims(wq);
        int nn = (int) wq.dim(0), kk = (int) wq.dim(1);
        scales.requireShape(DType.F32, nn);
        float[] s = scales.toFloatArray();
        for (int i = 0; i < s.length; i++) {
            if (!Float.isFinite(s[i])) {
                throw new IllegalArgumentException(scales.describe() + ": scale[" + i + "] = " + s[i] + " is not finite");
            }
        }
        CpuRuntime.ensureLoaded();
        long bytes = NativeInt8Gemm.dqw_int8_packed_bytes(nn, kk);
        Tensor packed = Tensor.allocate("int8 pack of " + label(wq), DType.U8, bytes);
        Tensor scaleCopy = Tensor.allocate("scales of " + label(wq), DType.F32, nn);
        scaleCopy.copyFrom(s);
        int rc = NativeInt8Gemm.dqw_int8_pack(wq.bytePointer(), nn, kk, packed.pointer());
        if (rc != NativeInt8Gemm.DQW_INT8_OK) {
            packed.close();
            scaleCopy.close();
            throw new IllegalStateException("dqw_int8_pack failed (" + rc + ") for " + wq.describe());
        }
        return new NativeInt8Weights(nn, kk, packed, scaleCopy);
    }

    private static String label(Tensor t) {
        return t.name() == null ? "weights" : t.name();
    }

    private static void checkDims(Tensor w) {
        if (w.dim(0) < 1 || w.dim(0) > Integer.MAX_VALUE || w.dim(1) < 1 || w.dim(1) > NativeInt8Gemm.DQW_INT8_MAX_K) {
            throw new IllegalArgumentException(w.describe() + ": need 1 <= N <= 2^31-1 and 1 <= K <= "
                    + NativeInt8Gemm.DQW_INT8_MAX_K + " (exact s32 accumulation)");
        }
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
        return "native";
    }

    @Override
    public float[] scales() {
        checkOpen();
        return scales.toFloatArray();
    }

    /** The per-channel scales as a tensor F32 [N] (owned by this object: do not close it). */
    Tensor scaleTensor() {
        checkOpen();
        return scales;
    }

    /** The packed bytes (owned by this object). */
    Pointer packedPointer() {
        checkOpen();
        return packed.pointer();
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException(this + " is closed");
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        packed.close();
        scales.close();
    }

    @Override
    public String toString() {
        return "native INT8 weights [" + n + ", " + k + "]" + (closed ? " (closed)" : "");
    }
}
