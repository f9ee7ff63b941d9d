package org.dqwhisper.quant;

import org.bytedeco.javacpp.FloatPointer;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.NativeInt4Weights;
import org.dqwhisper.kernels.NativeInt8Weights;
import org.dqwhisper.nativelib.NativeFakeQuant;
import org.dqwhisper.quant.QuantConfig.Estimator;
import org.dqwhisper.quant.QuantConfig.Granularity;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Fake quantization of one Linear weight {@code W[N,K]} for quantization-aware training (checked,
 * Tensor-based API over {@code native/include/dqw/fake_quant.h}, which states the exact formulas),
 * plus per-row dynamic 8-bit activation fake quantization ({@link #activations}).
 *
 * <p>Per element {@code q = clamp(rint(w·inv) + zero, lo, hi)}, {@code ŵ = (q − zero)·scale}. With
 * {@link Estimator#STE} the scales come from the weights at every {@link #forward} (abs-max symmetric,
 * min/max asymmetric, or the authors' signed max) and {@link #backward} is the straight-through
 * estimator with clipping gradient. With {@link Estimator#LSQ} {@link #scale()} is a trained parameter
 * (initialise it with {@link #initScale}), {@link #backward} also writes its gradient
 * ({@link #scaleGrad()}, LSQ's formula with gradient scale {@code 1/sqrt(count·Q)}).
 *
 * <p>8-bit symmetric per-channel scales reproduce {@code NativeInt8Weights.quantize} bit for bit, and
 * {@link #activations} reproduces {@code Int8Gemm.quantizeRows}: W8A8 training sees exactly the grid
 * the INT8 GEMM runs. Results are bit-identical for every thread count and ISA path.
 *
 * <p>Owns off-heap scale buffers: {@link #close()} it. Not thread-safe (one per weight, one trainer
 * thread); bad arguments give {@link IllegalArgumentException}, closed tensors {@link IllegalStateException}.
 */
public final class FakeQuant implements AutoCloseable {
    private final QuantConfig config;
    private final int n;
    private final int k;
    private final Tensor scale; // F32 scaleShape
    private final Tensor inv; // F32 scaleShape, written by forward
    private final Tensor zero; // F32 scaleShape, asymmetric only
    private final Tensor scaleGrad; // F32 scaleShape, LSQ only
    private boolean forwardDone;
    private boolean closed;

    private FakeQuant(QuantConfig config, int n, int k) {
        this.config = config;
        this.n = n;
        this.k = k;
        long[] shape = config.scaleShape(n, k);
        this.scale = Tensor.allocate("fake-quant scale", DType.F32, shape);
        this.inv = Tensor.allocate("fake-quant inverse scale", DType.F32, shape);
        this.zero = config.symmetric() ? null : Tensor.allocate("fake-quant zero point", DType.F32, shape);
        this.scaleGrad = config.estimator() == Estimator.LSQ ? Tensor.allocate("fake-quant scale gradient", DType.F32, shape) : null;
        scale.fill(0f);
        inv.fill(0f);
        if (zero != null) zero.fill(0f);
        if (scaleGrad != null) scaleGrad.fill(0f);
    }

    /** A quantizer for a weight {@code [n, k]} under {@code config} (which must quantize weights). */
    public static FakeQuant forWeights(QuantConfig config, long n, long k) {
        if (config == null) throw new IllegalArgumentException("fake quant: config is null");
        if (!config.enabled()) throw new IllegalArgumentException("fake quant: config '" + config + "' quantizes nothing");
        if (n < 1 || k < 1 || n > Integer.MAX_VALUE || k > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("fake quant: weight shape [" + n + ", " + k + "] must have 1 <= N, K <= 2^31-1");
        }
        return new FakeQuant(config, (int) n, (int) k);
    }

    public QuantConfig config() {
        return config;
    }

    public int n() {
        return n;
    }

    public int k() {
        return k;
    }

    /** The scales (F32 {@link QuantConfig#scaleShape}): written by every STE forward; the LSQ parameter. */
    public Tensor scale() {
        checkOpen();
        return scale;
    }

    /** The zero points of an asymmetric config (integer-valued F32), else null. */
    public Tensor zeroPoint() {
        checkOpen();
        return zero;
    }

    /** LSQ: the gradient of the scale (written or accumulated by {@link #backward}); null for STE. */
    public Tensor scaleGrad() {
        checkOpen();
        return scaleGrad;
    }

    /**
     * LSQ initialisation (Esser et al. 2020): {@code scale = 2·mean|w| / sqrt(Q)} over each segment that
     * shares a scale (a segment of zeros gets the smallest normal float, so the scale stays positive).
     */
    public void initScale(Tensor w) {
        checkOpen();
        if (config.estimator() != Estimator.LSQ) {
            throw new IllegalStateException("fake quant: initScale is for LSQ; STE scales come from the weights at every forward");
        }
        checkWeight("initScale", "w", w);
        float[] wv = w.toFloatArray();
        long seg = config.segmentLength(k);
        int perRow = (int) ((k + seg - 1) / seg);
        float[] s = new float[(int) scale.numel()];
        double sqrtQ = Math.sqrt(config.qmax());
        if (config.granularity() == Granularity.PER_TENSOR) {
            double sum = 0;
            for (float v : wv) sum += Math.abs(v);
            s[0] = positive(2 * sum / wv.length / sqrtQ);
        } else {
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < perRow; j++) {
                    int b = (int) (j * seg), e = (int) Math.min(k, b + seg);
                    double sum = 0;
                    for (int c = b; c < e; c++) sum += Math.abs(wv[r * k + c]);
                    s[r * perRow + j] = positive(2 * sum / (e - b) / sqrtQ);
                }
            }
        }
        scale.copyFrom(s);
    }

    private static float positive(double v) {
        return (float) Math.max(v, Float.MIN_NORMAL);
    }

    /** {@code wq = fake-quant(w)}: w, wq F32 {@code [N, K]}; wq may be w itself (in place). */
    public void forward(Tensor w, Tensor wq) {
        checkOpen();
        checkWeight("forward", "w", w);
        checkWeight("forward", "wq", wq);
        sameOrDisjoint("forward", wq, "wq", w, "w");
        boolean fromData = config.estimator() == Estimator.STE;
        if (!fromData) checkLsqScales();
        CpuRuntime.ensureLoaded();
        check(NativeFakeQuant.dqw_fq_forward(w.floatPointer(), k, n, k, nativeGranularity(), group(), config.weightBits(),
                nativeScheme(), fromData ? 1 : 0, scale.floatPointer(), inv.floatPointer(), ptr(zero), wq.floatPointer(), k),
                "dqw_fq_forward", w);
        forwardDone = true;
    }

    /**
     * {@code dw (+)= STE(dwq)} for the w of the latest {@link #forward} (same tensor, unchanged since):
     * the gradient passes where the clamp did not act; with LSQ also {@code scaleGrad (+)= dL/dscale}
     * (the same {@code accumulate} applies to both). dw may be dwq itself.
     */
    public void backward(Tensor w, Tensor dwq, Tensor dw, boolean accumulate) {
        checkOpen();
        if (!forwardDone) throw new IllegalStateException("fake quant: backward needs the scales of a forward; call forward first");
        checkWeight("backward", "w", w);
        checkWeight("backward", "dwq", dwq);
        checkWeight("backward", "dw", dw);
        disjoint("backward", dw, "dw", w, "w");
        sameOrDisjoint("backward", dw, "dw", dwq, "dwq");
        CpuRuntime.ensureLoaded();
        check(NativeFakeQuant.dqw_fq_backward(w.floatPointer(), k, n, k, nativeGranularity(), group(), config.weightBits(),
                nativeScheme(), scale.floatPointer(), inv.floatPointer(), ptr(zero), dwq.floatPointer(), k, dw.floatPointer(), k,
                accumulate ? 1 : 0, ptr(scaleGrad)), "dqw_fq_backward", w);
    }

    /**
     * The integer codes q of the latest {@link #forward} of {@code w}: S8 {@code [N,K]} in [-Q, Q] for a
     * symmetric config, U8 in [0, 2^bits−1] for an asymmetric one (with {@link #zeroPoint()}); the
     * dequantized weight is {@code (q − zero)·scale}. Not available with the signed-max quirk (unbounded).
     */
    public void codes(Tensor w, Tensor codes) {
        checkOpen();
        if (!forwardDone) throw new IllegalStateException("fake quant: codes need the scales of a forward; call forward first");
        if (config.signedMaxQuirk()) {
            throw new IllegalStateException("fake quant: the signed-max quirk does not clamp, so its codes do not fit " + config.weightBits() + " bits");
        }
        checkWeight("codes", "w", w);
        if (codes == null) throw new IllegalArgumentException("fake quant codes: codes tensor is null");
        codes.requireShape(config.symmetric() ? DType.S8 : DType.U8, n, k);
        CpuRuntime.ensureLoaded();
        check(NativeFakeQuant.dqw_fq_codes(w.floatPointer(), k, n, k, nativeGranularity(), group(), config.weightBits(),
                nativeScheme(), inv.floatPointer(), ptr(zero), codes.pointer(), k), "dqw_fq_codes", w);
    }

    /**
     * The INT4 export of the latest {@link #forward} of {@code w}: its codes with this quantizer's scales
     * (STE: from the data; LSQ: the learned ones), so the integer kernel runs exactly the trained grid.
     * Needs a symmetric config of at most 4 bits without the signed-max quirk, and a group that is a
     * multiple of 4 (per-tensor and per-channel scales become one group of K).
     */
    public NativeInt4Weights toInt4(Tensor w) {
        if (!config.symmetric() || config.signedMaxQuirk() || config.weightBits() > 4) {
            throw new IllegalStateException("fake quant: INT4 export needs symmetric weights of at most 4 bits without the"
                    + " signed-max quirk, config is " + config);
        }
        try (Tensor codes = Tensor.allocate("int4 codes", DType.S8, n, k); Tensor s = scalesPerRow()) {
            codes(w, codes);
            int group = config.granularity() == Granularity.PER_GROUP ? (int) config.segmentLength(k) : k;
            return NativeInt4Weights.fromCodes(codes, s, group);
        }
    }

    /**
     * The INT8 export of the latest {@link #forward} of {@code w}: codes and per-channel scales for
     * {@code Int8Gemm} (a per-tensor scale is repeated for every channel). Needs 8-bit symmetric
     * per-tensor or per-channel scales without the signed-max quirk.
     */
    public NativeInt8Weights toInt8(Tensor w) {
        if (!config.symmetric() || config.signedMaxQuirk() || config.weightBits() != 8
                || config.granularity() == Granularity.PER_GROUP) {
            throw new IllegalStateException("fake quant: INT8 export needs 8-bit symmetric per-tensor or per-channel weights"
                    + " without the signed-max quirk, config is " + config);
        }
        try (Tensor codes = Tensor.allocate("int8 codes", DType.S8, n, k); Tensor s = scalesPerRow()) {
            codes(w, codes);
            return NativeInt8Weights.of(codes, s.reshape(n));
        }
    }

    /** The scales as [N, segments per row] (a per-tensor scale repeated per row); a new tensor. */
    private Tensor scalesPerRow() {
        float[] s = scale.toFloatArray();
        int perRow = config.granularity() == Granularity.PER_TENSOR ? 1 : s.length / n;
        float[] out = new float[n * perRow];
        for (int i = 0; i < out.length; i++) out[i] = config.granularity() == Granularity.PER_TENSOR ? s[0] : s[i];
        Tensor t = Tensor.allocate("scales", DType.F32, n, perRow);
        t.copyFrom(out);
        return t;
    }

    /**
     * Per-row dynamic symmetric 8-bit fake quantization of activations, the INT8 GEMM's row formula:
     * per row of {@code x} (F32, rank >= 1, rows = all leading dimensions) {@code inv = 127f/amax},
     * {@code q = clamp(rint(x·inv), −127, 127)}, {@code x̂ = q·(amax/127f)}, an all-zero row gives 0.
     * xq like x (may be x). The backward is the identity ({@code dx = dx̂}): abs-max scaling never clips.
     */
    public static void activations(Tensor x, Tensor xq) {
        if (x == null || xq == null) throw new IllegalArgumentException("fake quant activations: tensor is null");
        x.requireDType(DType.F32);
        xq.requireDType(DType.F32);
        if (x.rank() < 1 || x.dim(-1) < 1) throw new IllegalArgumentException("fake quant activations: " + x.describe() + " has no features");
        if (!java.util.Arrays.equals(x.shape(), xq.shape())) {
            throw new IllegalArgumentException("fake quant activations: " + xq.describe() + " must have the shape of " + x.describe());
        }
        sameOrDisjoint("activations", xq, "xq", x, "x");
        long kk = x.dim(-1), rows = x.numel() / kk;
        if (rows > Integer.MAX_VALUE || kk > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("fake quant activations: " + x.describe() + " exceeds 2^31-1 rows or features");
        }
        if (rows == 0) return;
        CpuRuntime.ensureLoaded();
        try (Tensor s = Tensor.allocate("row scales", DType.F32, rows); Tensor iv = Tensor.allocate("row inverse scales", DType.F32, rows)) {
            check(NativeFakeQuant.dqw_fq_forward(x.floatPointer(), kk, (int) rows, (int) kk, NativeFakeQuant.DQW_FQ_PER_CHANNEL, 0, 8,
                    NativeFakeQuant.DQW_FQ_SYMMETRIC, 1, s.floatPointer(), iv.floatPointer(), null, xq.floatPointer(), kk),
                    "dqw_fq_forward (activations)", x);
        }
    }

    // ---- checks and native arguments ----------------------------------------------------------------

    int nativeGranularity() {
        return switch (config.granularity()) {
            case PER_TENSOR -> NativeFakeQuant.DQW_FQ_PER_TENSOR;
            case PER_CHANNEL -> NativeFakeQuant.DQW_FQ_PER_CHANNEL;
            case PER_GROUP -> NativeFakeQuant.DQW_FQ_PER_GROUP;
        };
    }

    int nativeScheme() {
        if (config.signedMaxQuirk()) return NativeFakeQuant.DQW_FQ_SIGNED_MAX;
        return config.symmetric() ? NativeFakeQuant.DQW_FQ_SYMMETRIC : NativeFakeQuant.DQW_FQ_ASYMMETRIC;
    }

    private int group() {
        return config.granularity() == Granularity.PER_GROUP ? config.groupSize() : 0;
    }

    private void checkLsqScales() {
        float[] s = scale.toFloatArray();
        for (int i = 0; i < s.length; i++) {
            if (!(s[i] > 0) || !Float.isFinite(s[i])) {
                throw new IllegalStateException("fake quant (LSQ): scale[" + i + "] = " + s[i] + " is not a positive finite number"
                        + (s[i] == 0 ? "; initialise the scales with initScale(w) or load them" : ""));
            }
        }
    }

    private void checkWeight(String op, String role, Tensor t) {
        if (t == null) throw new IllegalArgumentException("fake quant " + op + ": " + role + " is null");
        if (t.dtype() != DType.F32 || t.rank() != 2 || t.dim(0) != n || t.dim(1) != k) {
            t.checkOpen();
            throw new IllegalArgumentException("fake quant " + op + ": " + role + " " + t.describe() + " must be F32 [" + n + ", " + k + "]");
        }
        t.checkOpen();
    }

    private static boolean overlaps(Tensor a, Tensor b) {
        long a0 = a.address(), b0 = b.address();
        return a0 < b0 + b.byteSize() && b0 < a0 + a.byteSize();
    }

    private static void sameOrDisjoint(String op, Tensor out, String outRole, Tensor in, String inRole) {
        if (out.address() == in.address() && out.byteSize() == in.byteSize()) return;
        disjoint(op, out, outRole, in, inRole);
    }

    private static void disjoint(String op, Tensor out, String outRole, Tensor in, String inRole) {
        if (overlaps(out, in)) {
            throw new IllegalArgumentException("fake quant " + op + ": " + outRole + " " + out.describe() + " overlaps " + inRole + " "
                    + in.describe());
        }
    }

    private static FloatPointer ptr(Tensor t) {
        return t == null ? null : t.floatPointer();
    }

    private static void check(int rc, String fn, Tensor first) {
        if (rc != NativeFakeQuant.DQW_FQ_OK) {
            throw new IllegalStateException(fn + " rejected its arguments (" + rc + ") after the Java checks, input " + first.describe());
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("fake quant " + config + " [" + n + ", " + k + "] is closed");
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        scale.close();
        inv.close();
        if (zero != null) zero.close();
        if (scaleGrad != null) scaleGrad.close();
    }

    @Override
    public String toString() {
        return "fake quant " + config + " [" + n + ", " + k + "]" + (closed ? " (closed)" : "");
    }
}
