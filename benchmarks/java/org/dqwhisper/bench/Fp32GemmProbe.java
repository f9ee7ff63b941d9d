package org.dqwhisper.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.PointerScope;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.Fp32Gemm;
import org.dqwhisper.kernels.Isa;
import org.dqwhisper.kernels.NativeFp32Weights;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Single-thread throughput of the native FP32 GEMM on every ISA path, next to oneDNN's f32 matmul
 * on the same operands (packed weights for the Linear shapes, plain layouts otherwise).
 *
 * <pre>
 * OMP_NUM_THREADS=1 mvn -B -ntp test-compile exec:exec@main -Dmain.class=org.dqwhisper.bench.Fp32GemmProbe [-Dmain.args="..."]
 * args: [--reps N] [--seconds S] [--isa scalar|avx2|avx512] [--no-onednn] [--quick]
 * </pre>
 *
 * Times are the best of N calls (at least {@code --reps}, at most {@code --seconds} per shape and
 * path) measured as the calling thread's CPU time, so time spent descheduled on a shared machine
 * does not count; the wall-clock best is printed beside it. GFLOP/s = 2·M·N·K / time. oneDNN only
 * runs single-threaded when OMP_NUM_THREADS=1 is set before the JVM starts.
 */
public final class Fp32GemmProbe {
    enum Kind {
        LINEAR("x·Wᵀ packed W"), NN("A·B"), TN("Aᵀ·B (dW)"), NT("A·Bᵀ plain W");
        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    record Shape(Kind kind, int m, int n, int k) {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int reps = 5;
        double seconds = 3;
        boolean onednn = true, quick = false;
        Isa only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps": reps = Integer.parseInt(args[++i]); break;
                case "--seconds": seconds = Double.parseDouble(args[++i]); break;
                case "--isa": only = Isa.parse(args[++i]); break;
                case "--no-onednn": onednn = false; break;
                case "--quick": quick = true; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        CpuRuntime.ensureLoaded();
        CpuRuntime.setThreads(1);
        String omp = System.getenv("OMP_NUM_THREADS");
        if (onednn && !"1".equals(omp)) {
            System.out.println("note: OMP_NUM_THREADS=" + omp + ": oneDNN may use several threads (set OMP_NUM_THREADS=1)");
        }
        System.out.printf("dq-whisper FP32 GEMM probe: %s, detected ISA %s, 1 thread, best of >= %d calls (thread CPU time)%n",
                CpuRuntime.nativeVersion(), CpuRuntime.detectedIsa(), reps);
        System.out.printf("%-8s %-16s %6s %6s %6s | %9s %8s %8s | %9s %8s %6s%n", "isa", "kind", "M", "N", "K",
                "ms", "GFLOP/s", "wall", "onednn ms", "GFLOP/s", "ratio");
        List<Shape> shapes = shapes(quick);
        try {
            for (Isa isa : Isa.values()) {
                if (isa.level() > CpuRuntime.detectedIsa().level() || (only != null && isa != only)) continue;
                CpuRuntime.forceIsa(isa);
                for (Shape s : shapes) {
                    double budget = isa == Isa.SCALAR ? Math.min(seconds, 1.0) : seconds;
                    run(isa, s, reps, budget, onednn && isa == CpuRuntime.detectedIsa());
                }
            }
        } finally {
            CpuRuntime.forceIsa(null);
        }
    }

    static List<Shape> shapes(boolean quick) {
        List<Shape> out = new ArrayList<>();
        int[][] linear = quick ? new int[][] {{384, 1536}, {1536, 384}}
                : new int[][] {{384, 1536}, {1536, 384}, {512, 2048}, {2048, 512}, {768, 3072}, {3072, 768}, {1280, 5120}};
        for (int[] kn : linear) out.add(new Shape(Kind.LINEAR, 1500, kn[1], kn[0]));
        int[][] decode = quick ? new int[][] {{384, 1536}} : new int[][] {{384, 1536}, {1536, 384}, {512, 2048}, {1280, 5120}, {384, 51865}};
        for (int m : new int[] {1, 5}) for (int[] kn : decode) out.add(new Shape(Kind.LINEAR, m, kn[1], kn[0]));
        out.add(new Shape(Kind.NT, 1500, 1536, 384));
        // training, MLP of width d = 384 (tiny) over T = 8 × 1500 tokens: fc1 W1 [4d, d], fc2 W2 [d, 4d]
        int tokens = quick ? 1500 : 1500 * 8;
        out.add(new Shape(Kind.TN, 1536, 384, tokens));   // dW1 = dY1ᵀ·X
        out.add(new Shape(Kind.TN, 384, 1536, tokens));   // dW2 = dY2ᵀ·H
        if (!quick) {
            out.add(new Shape(Kind.TN, 1536, 1536, tokens)); // a square projection, d = 1536
            out.add(new Shape(Kind.NN, tokens, 384, 1536));  // dX = dY1·W1
            out.add(new Shape(Kind.NN, tokens, 1536, 384));  // dH = dY2·W2
        }
        return out;
    }

    static void run(Isa isa, Shape s, int reps, double seconds, boolean withOneDnn) {
        Random rnd = new Random(1);
        int m = s.m, n = s.n, k = s.k;
        boolean ta = s.kind == Kind.TN, tb = s.kind == Kind.LINEAR || s.kind == Kind.NT;
        try (Tensor a = random(rnd, ta ? k : m, ta ? m : k);
             Tensor b = random(rnd, tb ? n : k, tb ? k : n);
             Tensor c = Tensor.allocate(DType.F32, m, n);
             NativeFp32Weights w = s.kind == Kind.LINEAR ? NativeFp32Weights.pack(b) : null) {
            Runnable ours = w != null ? () -> Fp32Gemm.linear(a, w, null, false, c)
                    : () -> Fp32Gemm.sgemm(ta, tb, a, b, c, false);
            double[] t = time(ours, reps, seconds);
            double flop = 2.0 * m * n * k;
            String base = "";
            if (withOneDnn) {
                try (Tensor c2 = Tensor.allocate(DType.F32, m, n)) {
                    double od = timeOneDnn(s, a, b, c2, reps, seconds);
                    base = String.format(" | %9.3f %8.1f %6.2f", od * 1e3, flop / od * 1e-9, od / t[0]);
                }
            }
            System.out.printf("%-8s %-16s %6d %6d %6d | %9.3f %8.1f %8.1f%s%n", isa, s.kind.label, m, n, k, t[0] * 1e3,
                    flop / t[0] * 1e-9, flop / t[1] * 1e-9, base);
        }
    }

    static Tensor random(Random rnd, long rows, long cols) {
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextFloat() - 0.5f;
        return Tensor.of(v, rows, cols);
    }

    /** {best thread-CPU seconds, best wall seconds} over at least reps calls and at most `seconds`. */
    static double[] time(Runnable call, int reps, double seconds) {
        call.run(); // warm-up (packing buffers, JIT of the Java checks)
        double bestCpu = Double.MAX_VALUE, bestWall = Double.MAX_VALUE;
        long start = System.nanoTime();
        for (int i = 0; i < reps || (System.nanoTime() - start) * 1e-9 < seconds / 4; i++) {
            long w0 = System.nanoTime(), c0 = THREADS.getCurrentThreadCpuTime();
            call.run();
            long c1 = THREADS.getCurrentThreadCpuTime(), w1 = System.nanoTime();
            bestCpu = Math.min(bestCpu, (c1 - c0) * 1e-9);
            bestWall = Math.min(bestWall, (w1 - w0) * 1e-9);
            if (i + 1 >= reps && (w1 - start) * 1e-9 > seconds) break;
        }
        return new double[] {bestCpu, bestWall};
    }

    /** oneDNN f32 matmul on the same buffers: weights reordered once into its own layout for Linear. */
    static double timeOneDnn(Shape s, Tensor a, Tensor b, Tensor c, int reps, double seconds) {
        try (PointerScope scope = new PointerScope()) {
            engine eng = new engine(engine.kind.cpu, 0);
            stream strm = new stream(eng);
            long m = s.m, n = s.n, k = s.k;
            memory.format_tag aTag = s.kind == Kind.TN ? memory.format_tag.ba : memory.format_tag.ab;
            memory.format_tag bTag = (s.kind == Kind.LINEAR || s.kind == Kind.NT) ? memory.format_tag.ba : memory.format_tag.ab;
            memory.desc aD = new memory.desc(new long[] {m, k}, memory.data_type.f32, aTag);
            memory.desc bUserD = new memory.desc(new long[] {k, n}, memory.data_type.f32, bTag);
            memory.desc bD = s.kind == Kind.LINEAR ? new memory.desc(new long[] {k, n}, memory.data_type.f32, memory.format_tag.any) : bUserD;
            memory.desc cD = new memory.desc(new long[] {m, n}, memory.data_type.f32, memory.format_tag.ab);
            matmul.primitive_desc pd = new matmul.primitive_desc(eng, aD, bD, cD);
            memory aM = new memory(aD, eng, a.floatPointer());
            memory bUser = new memory(bUserD, eng, b.floatPointer());
            memory cM = new memory(cD, eng, c.floatPointer());
            memory bM = bUser;
            if (s.kind == Kind.LINEAR) {
                bM = new memory(pd.weights_desc(), eng);
                new reorder(bUser, bM).execute(strm, bUser, bM);
                strm._wait();
            }
            matmul mm = new matmul(pd);
            IntMemoryMap args = new IntMemoryMap();
            args.put(dnnl.DNNL_ARG_SRC, aM).put(dnnl.DNNL_ARG_WEIGHTS, bM).put(dnnl.DNNL_ARG_DST, cM);
            return time(() -> {
                mm.execute(strm, args);
                strm._wait();
            }, reps, seconds)[0];
        }
    }
}
