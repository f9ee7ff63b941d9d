package org.dqwhisper.kernels;

import org.bytedeco.javacpp.FloatPointer;
import org.dqwhisper.nativelib.NativeFp32Gemm;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * FP32 Linear weights {@code W[N,K]} (out × in) packed once into the native GEMM's panel layout
 * ({@code dqw_sgemm_pack}): 32-column panels holding all K rows, the same layout for every
 * instruction-set path, so forcing another path never invalidates a pack. Owns off-heap memory:
 * close it when done (a forgotten one is freed when unreachable). Use with
 * {@link Fp32Gemm#linear(Tensor, NativeFp32Weights, Tensor, boolean, Tensor)}.
 */
public final class NativeFp32Weights implements PackedFp32Weights {
    /** {@link #backend()} of every native pack. */
    public static final String BACKEND = "native";

    private final int n;
    private final int k;
    private final Tensor packed;

    private NativeFp32Weights(int n, int k, Tensor packed) {
        this.n = n;
        this.k = k;
        this.packed = packed;
    }

    /** Packs F32 {@code w[N,K]} (the tensor may be closed afterwards; the pack is a copy). */
    public static NativeFp32Weights pack(Tensor w) {
        if (w == null) throw new IllegalArgumentException("FP32 weights to pack: tensor is null");
        w.requireDType(DType.F32);
        if (w.rank() != 2) throw new IllegalArgumentException(w.describe() + ": FP32 weights must be rank 2 [N,K]");
        int n = Fp32Gemm.toInt(w, "N", w.dim(0));
        int k = Fp32Gemm.toInt(w, "K", w.dim(1));
        CpuRuntime.ensureLoaded();
        long bytes = NativeFp32Gemm.dqw_sgemm_packed_bytes(n, k);
        Tensor packed = Tensor.allocate("packed FP32 weights of " + w.describe(), DType.F32, bytes / Float.BYTES);
        try {
            Fp32Gemm.check(NativeFp32Gemm.dqw_sgemm_pack(w.floatPointer(), k, n, k, packed.floatPointer()),
                    "dqw_sgemm_pack " + w.describe());
        } catch (RuntimeException | Error e) {
            packed.close();
            throw e;
        }
        return new NativeFp32Weights(n, k, packed);
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
        return BACKEND;
    }

    /** Size of the packed layout in bytes. */
    public long packedBytes() {
        return packed.byteSize();
    }

    public boolean isClosed() {
        return packed.isClosed();
    }

    /** The packed panels (checked open). */
    FloatPointer packedPointer() {
        if (packed.isClosed()) throw new IllegalStateException(this + " is closed");
        return packed.floatPointer();
    }

    @Override
    public void close() {
        packed.close();
    }

    @Override
    public String toString() {
        return "native packed FP32 weights [" + n + "," + k + "]" + (isClosed() ? " (closed)" : "");
    }
}
