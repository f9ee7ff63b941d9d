package org.dqwhisper.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Pointer;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.Int8Gemm;
import org.dqwhisper.kernels.Isa;
import org.dqwhisper.kernels.NativeInt8Weights;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Quick single-thread throughput check of the native INT8 GEMM for tuning (not a JMH benchmark):
 * Gop/s = 2*M*K*N / time per ISA path on the Whisper encoder (M=1500) and decoder (M=1, 5) shapes,
 * next to oneDNN INT8 (s8 x s8 -> s32) and FP32 matmul on one thread.
 *
 * <pre>
 * OMP_NUM_THREADS=1 mvn -B -ntp test-compile exec:exec@main -Dmain.class=org.dqwhisper.bench.Int8GemmProbe \
 *     [-Dmain.args="--isa=avx512 --no-onednn --reps=20"]
 * </pre>
 *
 * Times are the best of several runs, by the thread's CPU time (immune to the time a shared machine
 * takes the core away; cache interference from neighbours remains) and by wall time. oneDNN's thread
 * count follows OMP_NUM_THREADS only: set it to 1 for a fair comparison.
 */
public final class Int8GemmProbe {
    private static final int[][] SHAPES = {
        {1500, 384, 1536}, {1500, 1536, 384}, {1500, 512, 2048}, {1500, 2048, 512}, {1500, 768, 3072}, {1500, 3072, 768},
        {1, 384, 1536}, {5, 384, 1536}, {1, 1280, 5120}, {5, 1280, 5120}, {1, 512, 51865},
    };
    private static final String USAGE = "options: --isa=all|scalar|avx2|avx512  --no-onednn  --reps=N (default 12)";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Int8GemmProbe() {}

    /** Best CPU and wall seconds of one call, over rounds of {@code inner} calls. */
    private static double[] time(Runnable call, int rounds, int inner) {
        call.run(); // warm-up
        double bestCpu = Double.MAX_VALUE, bestWall = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long c0 = THREADS.getCurrentThreadCpuTime(), w0 = System.nanoTime();
            for (int i = 0; i < inner; i++) call.run();
            long c1 = THREADS.getCurrentThreadCpuTime(), w1 = System.nanoTime();
            bestCpu = Math.min(bestCpu, (c1 - c0) * 1e-9 / inner);
            bestWall = Math.min(bestWall, (w1 - w0) * 1e-9 / inner);
        }
        return new double[] {bestCpu, bestWall};
    }

    private static void report(String what, int[] s, double[] t) {
        double ops = 2.0 * s[0] * s[1] * s[2];
        System.out.printf(Locale.ROOT, "%-34s M=%-4d K=%-4d N=%-5d %9.3f ms %8.1f Gop/s (cpu)  %8.1f Gop/s (wall)%n", what,
                s[0], s[1], s[2], t[0] * 1e3, ops / t[0] * 1e-9, ops / t[1] * 1e-9);
    }

    public static void main(String[] args) {
        String isaArg = "all";
        boolean onednn = true;
        int reps = 12;
        for (String a : args) {
            if (a.startsWith("--isa=")) isaArg = a.substring(6);
            else if (a.equals("--no-onednn")) onednn = false;
            else if (a.startsWith("--reps=")) reps = Integer.parseInt(a.substring(7));
            // the pom's default main.args is --help: print the options, then run with the defaults
            else if (a.equals("--help") || a.equals("-h")) System.out.println(USAGE);
            else throw new IllegalArgumentException("unknown argument " + a + "; " + USAGE);
        }
        CpuRuntime.setThreads(1);
        Isa detected = CpuRuntime.detectedIsa();
        System.out.println("dq-whisper INT8 GEMM probe, 1 thread, detected ISA " + detected + ", OMP_NUM_THREADS="
                + System.getenv("OMP_NUM_THREADS"));
        Random rnd = new Random(1);
        for (int[] s : SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            boolean big = m >= 64;
            int rounds = big ? reps : Math.max(3, reps / 2), inner = big ? 1 : Math.max(1, (int) (2e8 / (2.0 * m * k * n)));
            try (Tensor x = Tensor.allocate(DType.F32, m, k); Tensor w = Tensor.allocate(DType.F32, n, k);
                    Tensor bias = Tensor.allocate(DType.F32, n); Tensor aq = Tensor.allocate(DType.S8, m, k);
                    Tensor sa = Tensor.allocate(DType.F32, m); Tensor c = Tensor.allocate(DType.S32, m, n);
                    Tensor y = Tensor.allocate(DType.F32, m, n)) {
                x.copyFrom(gaussian(rnd, m * k, 1.0));
                w.copyFrom(gaussian(rnd, n * k, 0.05));
                bias.copyFrom(gaussian(rnd, n, 0.5));
                try (NativeInt8Weights wts = NativeInt8Weights.quantize(w)) {
                    Int8Gemm.quantizeRows(x, aq, sa);
                    for (Isa isa : Isa.values()) {
                        if (isa.level() > detected.level() || !(isaArg.equals("all") || Isa.parse(isaArg) == isa)) continue;
                        CpuRuntime.forceIsa(isa);
                        // the scalar path needs ~0.5 s per encoder call: one measured call is enough
                        int rr = isa == Isa.SCALAR && big ? 1 : rounds;
                        report(isa + " s32", s, time(() -> Int8Gemm.gemmS32(aq, wts, c), rr, inner));
                        if (isa == Isa.SCALAR && big) continue;
                        report(isa + " linear+bias", s, time(() -> Int8Gemm.linear(x, wts, bias, false, y), rr, inner));
                        report(isa + " linear+bias+gelu", s, time(() -> Int8Gemm.linear(x, wts, bias, true, y), rr, inner));
                    }
                    CpuRuntime.forceIsa(null);
                }
                if (onednn) {
                    try (Tensor wq = Tensor.allocate(DType.S8, k, n); Tensor wf = Tensor.allocate(DType.F32, k, n)) {
                        report("oneDNN s8s8->s32", s, oneDnn(memory.data_type.s8, aq, wq, c, m, k, n, rounds, inner));
                        report("oneDNN f32", s, oneDnn(memory.data_type.f32, x, wf, y, m, k, n, rounds, inner));
                    }
                }
            }
            System.out.println();
        }
    }

    private static float[] gaussian(Random r, int len, double sd) {
        float[] f = new float[len];
        for (int i = 0; i < len; i++) f[i] = (float) (sd * r.nextGaussian());
        return f;
    }

    /** oneDNN matmul src[M,K] x wei[K,N] (prepacked with format any) -> dst[M,N]; s8 or f32. */
    private static double[] oneDnn(memory.data_type type, Tensor src, Tensor wei, Tensor dst, int m, int k, int n,
            int rounds, int inner) {
        memory.data_type dstType = type == memory.data_type.s8 ? memory.data_type.s32 : memory.data_type.f32;
        try (engine eng = new engine(engine.kind.cpu, 0); stream strm = new stream(eng);
                memory.desc aD = new memory.desc(new long[] {m, k}, type, memory.format_tag.ab);
                memory.desc bD = new memory.desc(new long[] {k, n}, type, memory.format_tag.any);
                memory.desc bUserD = new memory.desc(new long[] {k, n}, type, memory.format_tag.ab);
                memory.desc cD = new memory.desc(new long[] {m, n}, dstType, memory.format_tag.ab);
                matmul.primitive_desc pd = new matmul.primitive_desc(eng, aD, bD, cD);
                memory aM = new memory(aD, eng, raw(src)); memory bUser = new memory(bUserD, eng, raw(wei));
                memory bM = new memory(pd.weights_desc(), eng); memory cM = new memory(cD, eng, raw(dst));
                reorder pack = new reorder(bUser, bM); matmul mm = new matmul(pd);
                IntMemoryMap margs = new IntMemoryMap()) {
            pack.execute(strm, bUser, bM);
            strm._wait();
            margs.put(dnnl.DNNL_ARG_SRC, aM).put(dnnl.DNNL_ARG_WEIGHTS, bM).put(dnnl.DNNL_ARG_DST, cM);
            return time(() -> {
                mm.execute(strm, margs);
                strm._wait();
            }, rounds, inner);
        }
    }

    private static Pointer raw(Tensor t) {
        return t.pointer();
    }
}
