package org.dqwhisper.kernels;

import org.bytedeco.javacpp.Pointer;
import org.dqwhisper.nativelib.NativeFakeQuant;
import org.dqwhisper.nativelib.NativeInt4Gemm;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * INT4 Linear weights {@code W[N,K]} with one F32 scale per (output channel, group of K), packed once
 * for the native INT4 GEMM ({@link Int4Gemm}). {@code W[n][k] = q[n][k] · scale[n][k / group]},
 * {@code q} a 4-bit two's-complement integer.
 *
 * <p>Export format ({@link #of}, {@link #packNibbles}): nibbles U8 {@code [N, ceil(K/2)]}, byte j of row
 * n holding k = 2j in its <b>low</b> nibble and k = 2j+1 in its <b>high</b> nibble (for odd K the last
 * high nibble is padding, written 0 and ignored); scales F32 {@code [N, ceil(K/group)]}; {@code group}
 * a multiple of 4, or {@code >= K} for one scale per channel. The pack (kernel layout, see
 * {@code gemm_int4.h}) is the same for every ISA path.
 *
 * <p>Owns off-heap memory: {@link #close()} it (a forgotten one is freed when unreachable). Read-only
 * after construction, so one instance may serve several threads; it must not be closed while a GEMM uses it.
 */
public final class NativeInt4Weights implements AutoCloseable {
    private final int n;
    private final int k;
    private final int group; // effective: k when one group per row
    private final int groups;
    private final Tensor packed; // U8, dqw_int4_packed_bytes(n, k, group)
    private final float[] scales; // [n * groups], a copy for inspection
    private volatile boolean closed;

    private NativeInt4Weights(int n, int k, int group, int groups, Tensor packed, float[] scales) {
        this.n = n;
        this.k = k;
        this.group = group;
        this.groups = groups;
        this.packed = packed;
        this.scales = scales;
    }

    /**
     * Post-training quantization of F32 {@code w[N,K]}: symmetric abs-max per group,
     * {@code Q = 2^(bits-1) − 1} (bits 2..4), codes {@code clamp(rint(w·(Q/amax)), −Q, Q)}, scale
     * {@code amax/Q} — the formula of {@code FakeQuant} (fake_quant.h), so training and export agree.
     */
    public static NativeInt4Weights quantize(Tensor w, int bits, int group) {
        if (w == null) throw new IllegalArgumentException("int4 quantize: weights tensor is null");
        w.requireShape(DType.F32, -1, -1);
        if (bits < 2 || bits > 4) throw new IllegalArgumentException("int4 quantize: bits must be 2..4, got " + bits);
        int nn = checkN(w, w.dim(0)), kk = checkK(w, w.dim(1));
        int g = checkGroup(kk, group);
        int groupsPerRow = (kk + g - 1) / g;
        CpuRuntime.ensureLoaded();
        try (Tensor scale = Tensor.allocate("int4 scales", DType.F32, nn, groupsPerRow);
                Tensor inv = Tensor.allocate("int4 inverse scales", DType.F32, nn, groupsPerRow);
                Tensor wq = Tensor.allocate("int4 fake-quant scratch", DType.F32, nn, kk);
                Tensor codes = Tensor.allocate("int4 codes", DType.S8, nn, kk)) {
            int rc = NativeFakeQuant.dqw_fq_forward(w.floatPointer(), kk, nn, kk, NativeFakeQuant.DQW_FQ_PER_GROUP, g, bits,
                    NativeFakeQuant.DQW_FQ_SYMMETRIC, 1, scale.floatPointer(), inv.floatPointer(), null, wq.floatPointer(), kk);
            if (rc == 0) {
                rc = NativeFakeQuant.dqw_fq_codes(w.floatPointer(), kk, nn, kk, NativeFakeQuant.DQW_FQ_PER_GROUP, g, bits,
                        NativeFakeQuant.DQW_FQ_SYMMETRIC, inv.floatPointer(), null, codes.pointer(), kk);
            }
            if (rc != 0) throw new IllegalStateException("int4 quantize: native quantizer failed (" + rc + ") for " + w.describe());
            return fromCodes(codes, scale, g);
        }
    }

    /** Packs S8 codes {@code [N,K]} (each in [-8, 7]) with F32 scales {@code [N, ceil(K/group)]}. */
    public static NativeInt4Weights fromCodes(Tensor codes, Tensor scales, int group) {
        if (codes == null) throw new IllegalArgumentException("int4 weights: codes tensor is null");
        codes.requireShape(DType.S8, -1, -1);
        int kk = checkK(codes, codes.dim(1));
        try (Tensor nibbles = packNibbles(codes)) {
            return of(nibbles, scales, kk, group);
        }
    }

    /** Packs the export format: nibbles U8 {@code [N, ceil(K/2)]} and F32 scales {@code [N, ceil(K/group)]} (finite). */
    public static NativeInt4Weights of(Tensor nibbles, Tensor scales, int k, int group) {
        if (nibbles == null) throw new IllegalArgumentException("int4 weights: nibbles tensor is null");
        if (scales == null) throw new IllegalArgumentException("int4 weights: scales tensor is null");
        if (k < 1 || k > NativeInt4Gemm.DQW_INT4_MAX_K) {
            throw new IllegalArgumentException("int4 weights: K = " + k + " must be in [1, " + NativeInt4Gemm.DQW_INT4_MAX_K + "]");
        }
        nibbles.requireShape(DType.U8, -1, (k + 1) / 2);
        int nn = checkN(nibbles, nibbles.dim(0));
        int g = checkGroup(k, group);
        int groupsPerRow = (k + g - 1) / g;
        scales.requireShape(DType.F32, nn, groupsPerRow);
        float[] s = scales.toFloatArray();
        for (int i = 0; i < s.length; i++) {
            if (!Float.isFinite(s[i])) {
                throw new IllegalArgumentException(scales.describe() + ": scale[" + i / groupsPerRow + "][" + i % groupsPerRow + "] = "
                        + s[i] + " is not finite");
            }
        }
        CpuRuntime.ensureLoaded();
        long bytes = NativeInt4Gemm.dqw_int4_packed_bytes(nn, k, g);
        Tensor packed = Tensor.allocate("int4 pack", DType.U8, bytes);
        int rc = NativeInt4Gemm.dqw_int4_pack(nibbles.bytePointer(), (k + 1) / 2, scales.floatPointer(), groupsPerRow, nn, k, g,
                packed.pointer());
        if (rc != NativeInt4Gemm.DQW_INT4_OK) {
            packed.close();
            throw new IllegalStateException("dqw_int4_pack failed (" + rc + ") for " + nibbles.describe());
        }
        return new NativeInt4Weights(nn, k, Math.min(g, k), groupsPerRow, packed, s);
    }

    /** Codes S8 {@code [N,K]} in [-8, 7] to the nibble export format U8 {@code [N, ceil(K/2)]} (a new tensor). */
    public static Tensor packNibbles(Tensor codes) {
        if (codes == null) throw new IllegalArgumentException("int4 nibbles: codes tensor is null");
        codes.requireShape(DType.S8, -1, -1);
        long nn = codes.dim(0), kk = codes.dim(1), half = (kk + 1) / 2;
        byte[] c = codes.toByteArray();
        byte[] out = new byte[Math.toIntExact(nn * half)];
        for (long r = 0; r < nn; r++) {
            for (long j = 0; j < kk; j++) {
                int v = c[(int) (r * kk + j)];
                if (v < -8 || v > 7) {
                    throw new IllegalArgumentException(codes.describe() + ": code " + v + " at [" + r + "][" + j + "] is outside [-8, 7]");
                }
                int at = (int) (r * half + j / 2);
                out[at] = (byte) (out[at] | ((v & 15) << (j % 2 == 0 ? 0 : 4)));
            }
        }
        Tensor t = Tensor.allocate(codes.name() == null ? "int4 nibbles" : codes.name() + " nibbles", DType.U8, nn, half);
        t.copyFrom(out);
        return t;
    }

    /** The inverse of {@link #packNibbles}: S8 codes {@code [N, k]} (a new tensor). */
    public static Tensor unpackNibbles(Tensor nibbles, int k) {
        if (nibbles == null) throw new IllegalArgumentException("int4 nibbles: tensor is null");
        if (k < 1) throw new IllegalArgumentException("int4 nibbles: K = " + k + " must be >= 1");
        nibbles.requireShape(DType.U8, -1, (k + 1) / 2);
        long nn = nibbles.dim(0), half = (k + 1) / 2;
        byte[] b = nibbles.toByteArray();
        byte[] out = new byte[Math.toIntExact(nn * k)];
        for (long r = 0; r < nn; r++) {
            for (int j = 0; j < k; j++) {
                int byteVal = b[(int) (r * half + j / 2)] & 0xFF;
                int nib = j % 2 == 0 ? byteVal & 15 : byteVal >> 4;
                out[(int) (r * k + j)] = (byte) ((nib ^ 8) - 8);
            }
        }
        Tensor t = Tensor.allocate("int4 codes", DType.S8, nn, k);
        t.copyFrom(out);
        return t;
    }

    private static int checkN(Tensor t, long nn) {
        if (nn < 1 || nn > Integer.MAX_VALUE) throw new IllegalArgumentException(t.describe() + ": N must be in [1, 2^31-1]");
        return (int) nn;
    }

    private static int checkK(Tensor t, long kk) {
        if (kk < 1 || kk > NativeInt4Gemm.DQW_INT4_MAX_K) {
            throw new IllegalArgumentException(t.describe() + ": K must be in [1, " + NativeInt4Gemm.DQW_INT4_MAX_K + "]");
        }
        return (int) kk;
    }

    private static int checkGroup(int k, int group) {
        if (group >= k) return group;
        if (group < 4 || group % 4 != 0) {
            throw new IllegalArgumentException("int4 weights: group " + group + " must be a multiple of 4 (or >= K = " + k
                    + " for one scale per channel)");
        }
        return group;
    }

    public int n() {
        return n;
    }

    public int k() {
        return k;
    }

    /** Input features per scale ({@code k} when there is one scale per channel). */
    public int group() {
        return group;
    }

    /** Scales per output channel: {@code ceil(K / group)}. */
    public int groups() {
        return groups;
    }

    /** A copy of the scales, row-major {@code [N, groups]}. */
    public float[] scales() {
        checkOpen();
        return scales.clone();
    }

    /** Bytes of the packed buffer (weights and scales). */
    public long packedBytes() {
        return packed.byteSize();
    }

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
    }

    @Override
    public String toString() {
        return "native INT4 weights [" + n + ", " + k + "] group " + group + (closed ? " (closed)" : "");
    }
}
