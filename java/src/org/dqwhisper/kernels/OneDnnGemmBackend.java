package org.dqwhisper.kernels;

import static org.dqwhisper.kernels.GemmArgumentChecks.bias;
import static org.dqwhisper.kernels.GemmArgumentChecks.dimension;
import static org.dqwhisper.kernels.GemmArgumentChecks.matrix;
import static org.dqwhisper.kernels.GemmArgumentChecks.noOverlap;
import static org.dqwhisper.kernels.GemmArgumentChecks.open;
import static org.dqwhisper.kernels.GemmArgumentChecks.shape;

import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * The oneDNN baseline behind {@link GemmBackend} (name {@value #NAME}), through
 * {@code org.bytedeco:dnnl} (oneDNN 3.13). Operands are our off-heap tensors, bound to oneDNN
 * {@code memory} objects by address: nothing is copied.
 *
 * <ul>
 *   <li>{@link #int8Gemm}: S8 Aq × packed S8 weights → F32 with the row and channel scales, bias and
 *       GELU ({@code eltwise_gelu_erf}). For M = 1 one fused matmul; for M &gt; 1 the matmul plus an
 *       in-place row-scale {@code binary} epilogue, because oneDNN's fast INT8 matmul has no per-row
 *       source scales (see {@link OneDnnInt8MatmulPlan}).</li>
 *   <li>{@link #int8Linear}: the same, after quantizing X with oneDNN primitives: row max/min
 *       {@code reduction}s, the row factors in Java (O(M)), and a {@code binary_mul} by the row factors
 *       into S8 (see {@link OneDnnQuantizePlan}); bit-identical to the convention. This is the baseline the
 *       fused native INT8 Linear is measured against.</li>
 *   <li>{@link #fp32Linear}: FP32 matmul on weights reordered once into oneDNN's blocked layout
 *       ({@code format_tag.any}), bias, GELU.</li>
 *   <li>{@link #sgemm}: FP32 matmul on strided memory descriptors (the four transpose combinations),
 *       accumulation by a {@code sum} post-op.</li>
 * </ul>
 *
 * <p>Threads: oneDNN here is built with OpenMP (its bundled libgomp) and has no per-call thread
 * control; it uses {@code OMP_NUM_THREADS} (else all available CPUs), read once when the process starts.
 * {@link #openMpThreads()} reports that number; {@link CpuRuntime#setThreads} does not affect it.
 *
 * <p>Plans (primitive descriptors, primitives, memory objects) are cached per (operation, M, N, K,
 * flags) in a bounded LRU cache ({@value #DEFAULT_PLAN_CACHE_CAPACITY} plans by default). Calls are
 * serialised per backend instance (the plans' memory objects are rebound per call); oneDNN parallelises
 * inside each call. {@link #close()} releases every plan; packed weights are released by their own
 * {@code close()} and stay usable with any {@code OneDnnGemmBackend}.
 */
public final class OneDnnGemmBackend implements GemmBackend, AutoCloseable {
    public static final String NAME = "onednn";
    public static final int DEFAULT_PLAN_CACHE_CAPACITY = 64;

    private static final int BIAS = 1;
    private static final int GELU = 2;

    private final stream strm;
    private final OneDnnPlanCache plans;
    private boolean closed;

    public OneDnnGemmBackend() {
        this(DEFAULT_PLAN_CACHE_CAPACITY);
    }

    /** A backend keeping at most {@code planCacheCapacity} (≥ 2: int8Linear uses two at once) built plans. */
    public OneDnnGemmBackend(int planCacheCapacity) {
        if (planCacheCapacity < 2) {
            throw new IllegalArgumentException("oneDNN plan cache capacity must be >= 2, got " + planCacheCapacity);
        }
        this.plans = new OneDnnPlanCache(planCacheCapacity);
        this.strm = new stream(OneDnn.cpuEngine());
    }

    /** Threads oneDNN uses in this process ({@code OMP_NUM_THREADS}, else the available CPUs); fixed at start-up. */
    public static int openMpThreads() {
        return OneDnn.openMpThreads();
    }

    /** Version of the loaded oneDNN, e.g. "3.13.0". */
    public static String oneDnnVersion() {
        return OneDnn.version();
    }

    @Override
    public String name() {
        return NAME;
    }

    // ---- packing ------------------------------------------------------------------------------------

    /** Quantizes F32 {@code W[N,K]} per output channel (the convention, in Java) and packs it. */
    @Override
    public synchronized OneDnnInt8Weights packInt8(Tensor w) {
        String op = NAME + " packInt8";
        checkOpen(op);
        long[] s = matrix(op, "w", w, DType.F32);
        dimension(op, "N", s[0], false);
        dimension(op, "K", s[1], false);
        try (Tensor wq = Tensor.allocate("packInt8.wq", DType.S8, s[0], s[1]);
                Tensor scales = Tensor.allocate("packInt8.scales", DType.F32, s[0])) {
            Int8RowQuantizer.quantizeRows(w, wq, scales);
            return OneDnnInt8Weights.pack(strm, wq, scales.toFloatArray());
        }
    }

    /** Packs S8 {@code Wq[N,K]} with its F32 per-channel {@code scales[N]} (finite, ≥ 0). */
    @Override
    public synchronized OneDnnInt8Weights packInt8(Tensor wq, Tensor scales) {
        String op = NAME + " packInt8";
        checkOpen(op);
        long[] s = matrix(op, "wq", wq, DType.S8);
        dimension(op, "N", s[0], false);
        dimension(op, "K", s[1], false);
        shape(op, "scales", scales, DType.F32, s[0]);
        float[] sc = scales.toFloatArray();
        for (int i = 0; i < sc.length; i++) {
            if (!Float.isFinite(sc[i]) || sc[i] < 0f) {
                throw new IllegalArgumentException(op + ": scales[" + i + "] = " + sc[i] + " (" + scales.describe()
                        + "): scales must be finite and >= 0");
            }
        }
        return OneDnnInt8Weights.pack(strm, wq, sc);
    }

    /** Packs F32 {@code W[N,K]} into oneDNN's blocked FP32 matmul layout. */
    @Override
    public synchronized OneDnnFp32Weights packFp32(Tensor w) {
        String op = NAME + " packFp32";
        checkOpen(op);
        long[] s = matrix(op, "w", w, DType.F32);
        dimension(op, "N", s[0], false);
        dimension(op, "K", s[1], false);
        return OneDnnFp32Weights.pack(strm, w);
    }

    // ---- INT8 ---------------------------------------------------------------------------------------

    @Override
    public synchronized void int8Gemm(Tensor aq, Tensor aScale, PackedInt8Weights w, Tensor bias, boolean gelu, Tensor y) {
        String op = NAME + " int8Gemm";
        checkOpen(op);
        long[] a = matrix(op, "aq", aq, DType.S8);
        OneDnnInt8Weights ow = int8Weights(op, w, a[1], "aq");
        long m = a[0];
        long n = ow.n();
        shape(op, "aScale", aScale, DType.F32, m);
        bias(op, bias, n);
        shape(op, "y", y, DType.F32, m, n);
        noOverlap(op, y, aq, aScale, bias);
        if (m == 0) return;
        OneDnnInt8MatmulPlan plan = int8Plan(op, dimension(op, "M", m, false), ow, bias != null, gelu);
        plan.execute(strm, aq.pointer(), aScale.pointer(), ow, pointerOrNull(bias), y.pointer());
    }

    @Override
    public synchronized void int8Linear(Tensor x, PackedInt8Weights w, Tensor bias, boolean gelu, Tensor y) {
        String op = NAME + " int8Linear";
        checkOpen(op);
        long[] xs = matrix(op, "x", x, DType.F32);
        OneDnnInt8Weights ow = int8Weights(op, w, xs[1], "x");
        long m = xs[0];
        long n = ow.n();
        bias(op, bias, n);
        shape(op, "y", y, DType.F32, m, n);
        noOverlap(op, y, x, bias);
        if (m == 0) return;
        int mi = dimension(op, "M", m, false);
        OneDnnQuantizePlan quantize = quantizePlan(mi, ow.k());
        Pointer aq = quantize.ownQuantized();
        Pointer aScale = quantize.ownScales();
        quantize.execute(strm, x.pointer(), aq, aScale);
        // the lookup below cannot evict the quantize plan just used: it is the most recent, capacity >= 2
        OneDnnInt8MatmulPlan plan = int8Plan(op, mi, ow, bias != null, gelu);
        plan.execute(strm, aq, aScale, ow, pointerOrNull(bias), y.pointer());
    }

    /**
     * The quantization step of {@link #int8Linear} on its own: F32 {@code x[M,K]} → S8 {@code aq[M,K]} and
     * F32 {@code aScale[M]}, with oneDNN primitives, bit-identical to the convention.
     */
    public synchronized void quantizeRows(Tensor x, Tensor aq, Tensor aScale) {
        String op = NAME + " quantizeRows";
        checkOpen(op);
        long[] xs = matrix(op, "x", x, DType.F32);
        shape(op, "aq", aq, DType.S8, xs[0], xs[1]);
        shape(op, "aScale", aScale, DType.F32, xs[0]);
        noOverlap(op, aq, x, aScale);
        noOverlap(op, aScale, x);
        if (xs[0] == 0) return;
        dimension(op, "K", xs[1], false);
        quantizePlan(dimension(op, "M", xs[0], false), xs[1]).execute(strm, x.pointer(), aq.pointer(), aScale.pointer());
    }

    // ---- FP32 ---------------------------------------------------------------------------------------

    @Override
    public synchronized void fp32Linear(Tensor x, PackedFp32Weights w, Tensor bias, boolean gelu, Tensor y) {
        String op = NAME + " fp32Linear";
        checkOpen(op);
        long[] xs = matrix(op, "x", x, DType.F32);
        OneDnnFp32Weights ow = fp32Weights(op, w, xs[1]);
        long m = xs[0];
        long n = ow.n();
        bias(op, bias, n);
        shape(op, "y", y, DType.F32, m, n);
        noOverlap(op, y, x, bias);
        if (m == 0) return;
        OneDnnPlanCache.Key key = new OneDnnPlanCache.Key("fp32Linear", m, n, ow.k(), flags(bias != null, gelu));
        OneDnnFp32MatmulPlan plan = plans.get(key, OneDnnFp32MatmulPlan.class,
                () -> OneDnnFp32MatmulPlan.linear(m, n, ow.k(), ow.packedDesc(), bias != null, gelu));
        if (!plan.accepts(ow.packedDesc())) {
            throw new IllegalStateException(op + ": weights " + ow + " are not in the layout the cached plan expects");
        }
        plan.execute(strm, x.pointer(), ow.packedHandle(), pointerOrNull(bias), y.pointer());
    }

    @Override
    public synchronized void sgemm(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c, boolean accumulate) {
        String op = NAME + " sgemm";
        checkOpen(op);
        long[] as = matrix(op, "a", a, DType.F32);
        long[] bs = matrix(op, "b", b, DType.F32);
        long m = transA ? as[1] : as[0];
        long k = transA ? as[0] : as[1];
        long kb = transB ? bs[1] : bs[0];
        long n = transB ? bs[0] : bs[1];
        if (k != kb) {
            throw new IllegalArgumentException(op + ": inner dimensions differ: op(a) is [" + m + ", " + k + "] ("
                    + a.describe() + (transA ? ", transposed" : "") + "), op(b) is [" + kb + ", " + n + "] (" + b.describe()
                    + (transB ? ", transposed" : "") + ")");
        }
        shape(op, "c", c, DType.F32, m, n);
        noOverlap(op, c, a, b);
        dimension(op, "M", m, true);
        dimension(op, "N", n, true);
        dimension(op, "K", k, true);
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) c.fill(0f);
            return;
        }
        int f = (transA ? 1 : 0) | (transB ? 2 : 0) | (accumulate ? 4 : 0);
        OneDnnFp32MatmulPlan plan = plans.get(new OneDnnPlanCache.Key("sgemm", m, n, k, f), OneDnnFp32MatmulPlan.class,
                () -> OneDnnFp32MatmulPlan.sgemm(m, n, k, transA, transB, accumulate));
        plan.execute(strm, a.pointer(), b.pointer(), null, c.pointer());
    }

    // ---- plans and checks ---------------------------------------------------------------------------

    private OneDnnInt8MatmulPlan int8Plan(String op, int m, OneDnnInt8Weights w, boolean hasBias, boolean gelu) {
        OneDnnPlanCache.Key key = new OneDnnPlanCache.Key("int8Gemm", m, w.n(), w.k(), flags(hasBias, gelu));
        OneDnnInt8MatmulPlan plan = plans.get(key, OneDnnInt8MatmulPlan.class,
                () -> new OneDnnInt8MatmulPlan(m, w.n(), w.k(), w.packedDesc(), hasBias, gelu));
        if (!plan.accepts(w.packedDesc())) {
            throw new IllegalStateException(op + ": weights " + w + " are not in the layout the cached plan expects");
        }
        return plan;
    }

    private OneDnnQuantizePlan quantizePlan(int m, long k) {
        return plans.get(new OneDnnPlanCache.Key("quantizeRows", m, 0, k, 0), OneDnnQuantizePlan.class,
                () -> new OneDnnQuantizePlan(m, k));
    }

    private static OneDnnInt8Weights int8Weights(String op, PackedInt8Weights w, long k, String input) {
        if (w == null) throw new IllegalArgumentException(op + ": weights are null");
        if (!(w instanceof OneDnnInt8Weights ow)) {
            throw new IllegalArgumentException(op + ": weights were packed by backend '" + w.backend() + "' ("
                    + w.getClass().getSimpleName() + "); pack them with this backend's packInt8");
        }
        ow.checkOpen();
        if (ow.k() != k) {
            throw new IllegalArgumentException(op + ": " + input + " has K = " + k + " but the weights are [N=" + ow.n()
                    + ", K=" + ow.k() + "]");
        }
        return ow;
    }

    private static OneDnnFp32Weights fp32Weights(String op, PackedFp32Weights w, long k) {
        if (w == null) throw new IllegalArgumentException(op + ": weights are null");
        if (!(w instanceof OneDnnFp32Weights ow)) {
            throw new IllegalArgumentException(op + ": weights were packed by backend '" + w.backend() + "' ("
                    + w.getClass().getSimpleName() + "); pack them with this backend's packFp32");
        }
        ow.checkOpen();
        if (ow.k() != k) {
            throw new IllegalArgumentException(op + ": x has K = " + k + " but the weights are [N=" + ow.n() + ", K=" + ow.k() + "]");
        }
        return ow;
    }

    private static int flags(boolean hasBias, boolean gelu) {
        return (hasBias ? BIAS : 0) | (gelu ? GELU : 0);
    }

    private static Pointer pointerOrNull(Tensor t) {
        return t == null ? null : t.pointer();
    }

    private void checkOpen(String op) {
        if (closed) throw new IllegalStateException(op + ": the oneDNN backend is closed");
    }

    /** Plans currently cached (for tests). */
    synchronized int cachedPlans() {
        return plans.size();
    }

    /** Releases every cached plan and the stream; later calls throw {@link IllegalStateException}. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            plans.close();
        } finally {
            strm.close();
        }
    }

    @Override
    public String toString() {
        return "OneDnnGemmBackend[oneDNN, OpenMP threads " + openMpThreads() + (closed ? ", closed]" : "]");
    }
}
