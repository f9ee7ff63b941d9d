package org.dqwhisper.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.GemmBackend;
import org.dqwhisper.kernels.Int8RowQuantizer;
import org.dqwhisper.kernels.OneDnnGemmBackend;
import org.dqwhisper.kernels.PackedFp32Weights;
import org.dqwhisper.kernels.PackedInt8Weights;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * A short timed loop per (shape, implementation, threads) over the {@link GemmBackend}s given: warm-up
 * samples, then the median of N samples, each sample repeating the call until it lasts at least
 * {@link Settings#minSampleMillis}; throughput {@code gops = 2·M·N·K / time-per-call / 1e9}.
 *
 * <p>Implementations: {@code int8} (native fused int8Linear on F32 X), {@code int8-gemm} (native int8Gemm
 * on pre-quantized S8 A), {@code fp32} (native fp32Linear), {@code onednn-int8} (oneDNN int8Gemm on
 * pre-quantized A), {@code onednn-int8-linear} (oneDNN quantize + int8Gemm), {@code onednn-fp32}. Each
 * call includes the bias; the MLP's first layer (K = d, N = 4d) also applies GELU, as in Whisper.
 *
 * <p>Threads: the native backend runs at each requested count ({@link CpuRuntime#setThreads}, restored
 * afterwards). oneDNN's count is fixed per process by OpenMP ({@code OMP_NUM_THREADS}, else all CPUs),
 * so oneDNN implementations run once per shape and their rows record that number.
 */
public final class GemmBenchmark {
    /** All implementation names, in table order. */
    public static final List<String> IMPLS = List.of("int8", "int8-gemm", "fp32", "onednn-int8", "onednn-int8-linear", "onednn-fp32");

    /** Whisper model widths d. */
    public static final Map<String, Integer> WHISPER_WIDTHS = widths();

    /** One GEMM {@code Y[M,N] = X[M,K]·Wᵀ}; {@code label} says where it comes from, e.g. "base fc1". */
    public record Shape(String label, int m, int k, int n, boolean gelu) {
        public Shape {
            if (m < 1 || k < 1 || n < 1) throw new IllegalArgumentException("shape " + label + ": M, K, N must be >= 1");
        }

        public double ops() {
            return 2.0 * m * k * n;
        }

        /** Parses "MxKxN", e.g. "1500x512x2048"; GELU is on when N = 4K (Whisper's fc1). */
        public static Shape parse(String s) {
            String[] p = s.trim().toLowerCase(Locale.ROOT).split("x");
            if (p.length != 3) throw new IllegalArgumentException("shape '" + s + "': expected MxKxN, e.g. 1500x512x2048");
            try {
                int k = Integer.parseInt(p[1]);
                int n = Integer.parseInt(p[2]);
                return new Shape(s.trim(), Integer.parseInt(p[0]), k, n, n == 4 * k);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape '" + s + "': expected MxKxN with integers, e.g. 1500x512x2048");
            }
        }
    }

    /** One measurement: {@code gops} is 10^9 operations (multiply or add) per second. */
    public record Row(int m, int n, int k, String impl, int threads, double gops) {}

    /** Loop settings: warm-up samples, measured samples (median), minimum sample length. */
    public record Settings(int warmup, int iterations, double minSampleMillis) {
        public static final Settings DEFAULT = new Settings(2, 7, 20);

        public Settings {
            if (warmup < 0 || iterations < 1 || !(minSampleMillis >= 0)) {
                throw new IllegalArgumentException("benchmark settings: warmup >= 0, iterations >= 1, minSampleMillis >= 0");
            }
        }
    }

    private enum Kind { INT8_LINEAR, INT8_GEMM, FP32_LINEAR }

    private record Impl(String name, String backend, Kind kind) {}

    private static final Map<String, Impl> IMPL_TABLE = implTable();

    private final Map<String, GemmBackend> backends = new LinkedHashMap<>();
    private final Settings settings;

    public GemmBenchmark(List<? extends GemmBackend> backends, Settings settings) {
        for (GemmBackend b : backends) this.backends.put(b.name(), b);
        this.settings = settings;
    }

    /** Whisper's Linear shapes: encoder M = 1500 and decoder M ∈ {1, 5} × fc1, fc2, qkv, out per model; {@code quick}: base fc1/fc2 at M ∈ {1500, 1}. */
    public static List<Shape> whisperShapes(boolean quick) {
        List<Shape> out = new ArrayList<>();
        for (Map.Entry<String, Integer> model : WHISPER_WIDTHS.entrySet()) {
            if (quick && !model.getKey().equals("base")) continue;
            int d = model.getValue();
            for (int m : quick ? new int[] {1500, 1} : new int[] {1500, 1, 5}) {
                out.add(new Shape(model.getKey() + " fc1", m, d, 4 * d, true));
                out.add(new Shape(model.getKey() + " fc2", m, 4 * d, d, false));
                if (quick) continue;
                out.add(new Shape(model.getKey() + " qkv", m, d, 3 * d, false));
                out.add(new Shape(model.getKey() + " out", m, d, d, false));
            }
        }
        return out;
    }

    /** The implementations whose backend is present, in table order. */
    public List<String> availableImpls() {
        return IMPLS.stream().filter(i -> backends.containsKey(IMPL_TABLE.get(i).backend())).toList();
    }

    /** Checks implementation names; unknown ones throw {@link IllegalArgumentException}. */
    public static void checkImpls(List<String> impls) {
        for (String i : impls) {
            if (!IMPL_TABLE.containsKey(i)) throw new IllegalArgumentException("unknown GEMM implementation '" + i + "'; known: " + IMPLS);
        }
    }

    /** The backend name ("native" or "onednn") an implementation runs on. */
    public static String backendOf(String impl) {
        checkImpls(List.of(impl));
        return IMPL_TABLE.get(impl).backend();
    }

    /**
     * Measures every (shape, impl, threads); impls whose backend is absent are skipped. Each row is passed to
     * {@code progress} as soon as it is measured, and all rows are returned.
     */
    public List<Row> run(List<Shape> shapes, List<String> impls, List<Integer> threads, Consumer<Row> progress) {
        checkImpls(impls);
        for (int t : threads) if (t < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + t);
        HeapWarmup.cycleYoungGeneration(); // timed calls allocate: see HeapWarmup
        List<Row> rows = new ArrayList<>();
        for (Shape s : shapes) {
            for (String name : impls) {
                GemmBackend be = backends.get(backendOf(name));
                if (be == null) continue;
                try (Workload work = Workload.prepare(be, name, s)) {
                    if (be instanceof OneDnnGemmBackend) {
                        add(rows, progress, new Row(s.m(), s.n(), s.k(), name, OneDnnGemmBackend.openMpThreads(), gops(s, work)));
                        continue;
                    }
                    int saved = CpuRuntime.threads();
                    try {
                        for (int t : threads) {
                            CpuRuntime.setThreads(t);
                            add(rows, progress, new Row(s.m(), s.n(), s.k(), name, t, gops(s, work)));
                        }
                    } finally {
                        CpuRuntime.setThreads(saved);
                    }
                }
            }
        }
        return rows;
    }

    private static void add(List<Row> rows, Consumer<Row> progress, Row r) {
        rows.add(r);
        if (progress != null) progress.accept(r);
    }

    /** Median throughput of {@code call} on {@code s}. */
    private double gops(Shape s, Runnable call) {
        call.run(); // first call builds plans / JIT code: never timed
        long t0 = System.nanoTime();
        call.run();
        double perCall = Math.max(1, System.nanoTime() - t0);
        int reps = (int) Math.max(1, Math.min(1_000_000, Math.ceil(settings.minSampleMillis() * 1e6 / perCall)));
        for (int i = 0; i < settings.warmup(); i++) sample(call, reps);
        double[] samples = new double[settings.iterations()];
        for (int i = 0; i < samples.length; i++) samples[i] = sample(call, reps);
        Arrays.sort(samples);
        double median = samples.length % 2 == 1 ? samples[samples.length / 2]
                : (samples[samples.length / 2 - 1] + samples[samples.length / 2]) / 2;
        return s.ops() / median;
    }

    /** Nanoseconds per call over {@code reps} calls. */
    private static double sample(Runnable call, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) call.run();
        return (double) (System.nanoTime() - t0) / reps;
    }

    /**
     * One implementation's call on one shape, ready to time: random X (uniform ±1), W (±1/√K), bias (±0.1),
     * weights packed by the backend, and for the {@code *int8} GEMM-only implementations A pre-quantized in
     * Java ({@link Int8RowQuantizer}). The same shape always gets the same data. {@link #run()} is the timed call.
     */
    public static final class Workload implements Runnable, AutoCloseable {
        private final List<AutoCloseable> owned = new ArrayList<>();
        private final Runnable call;

        private Workload(GemmBackend be, Kind kind, Shape s) {
            try {
                SplittableRandom rnd = new SplittableRandom(s.m() * 31L + s.k() * 7L + s.n());
                Tensor x = own(Tensor.of(random(rnd, (long) s.m() * s.k(), 1f), s.m(), s.k()));
                Tensor w = own(Tensor.of(random(rnd, (long) s.n() * s.k(), (float) (1 / Math.sqrt(s.k()))), s.n(), s.k()));
                Tensor bias = own(Tensor.of(random(rnd, s.n(), 0.1f), s.n()));
                Tensor y = own(Tensor.allocate("y", DType.F32, s.m(), s.n()));
                boolean gelu = s.gelu();
                switch (kind) {
                    case FP32_LINEAR: {
                        PackedFp32Weights pw = own(be.packFp32(w));
                        call = () -> be.fp32Linear(x, pw, bias, gelu, y);
                        break;
                    }
                    case INT8_LINEAR: {
                        PackedInt8Weights pw = own(be.packInt8(w));
                        call = () -> be.int8Linear(x, pw, bias, gelu, y);
                        break;
                    }
                    default: {
                        PackedInt8Weights pw = own(be.packInt8(w));
                        Tensor aq = own(Tensor.allocate("aq", DType.S8, s.m(), s.k()));
                        Tensor aScale = own(Tensor.allocate("aScale", DType.F32, s.m()));
                        Int8RowQuantizer.quantizeRows(x, aq, aScale);
                        call = () -> be.int8Gemm(aq, aScale, pw, bias, gelu, y);
                    }
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /** Prepares {@code impl} on {@code shape} with {@code backend}, which must be the impl's backend. */
        public static Workload prepare(GemmBackend backend, String impl, Shape shape) {
            String expected = backendOf(impl);
            if (!backend.name().equals(expected)) {
                throw new IllegalArgumentException("implementation " + impl + " runs on backend '" + expected + "', got '" + backend.name() + "'");
            }
            return new Workload(backend, IMPL_TABLE.get(impl).kind(), shape);
        }

        @Override
        public void run() {
            call.run();
        }

        private <T extends AutoCloseable> T own(T t) {
            owned.add(t);
            return t;
        }

        @Override
        public void close() {
            RuntimeException first = null;
            for (int i = owned.size() - 1; i >= 0; i--) {
                try {
                    owned.get(i).close();
                } catch (Exception e) {
                    if (first == null) first = new IllegalStateException("cannot release benchmark operand: " + e, e);
                }
            }
            owned.clear();
            if (first != null) throw first;
        }

        private static float[] random(SplittableRandom rnd, long len, float range) {
            if (len > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("benchmark operand too large: " + len);
            float[] v = new float[(int) len];
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextDouble(-range, range);
            return v;
        }
    }

    private static Map<String, Impl> implTable() {
        Map<String, Impl> m = new LinkedHashMap<>();
        m.put("int8", new Impl("int8", "native", Kind.INT8_LINEAR));
        m.put("int8-gemm", new Impl("int8-gemm", "native", Kind.INT8_GEMM));
        m.put("fp32", new Impl("fp32", "native", Kind.FP32_LINEAR));
        m.put("onednn-int8", new Impl("onednn-int8", OneDnnGemmBackend.NAME, Kind.INT8_GEMM));
        m.put("onednn-int8-linear", new Impl("onednn-int8-linear", OneDnnGemmBackend.NAME, Kind.INT8_LINEAR));
        m.put("onednn-fp32", new Impl("onednn-fp32", OneDnnGemmBackend.NAME, Kind.FP32_LINEAR));
        return m;
    }

    private static Map<String, Integer> widths() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("tiny", 384);
        m.put("base", 512);
        m.put("small", 768);
        m.put("medium", 1024);
        m.put("large-v3", 1280);
        return java.util.Collections.unmodifiableMap(m);
    }
}
