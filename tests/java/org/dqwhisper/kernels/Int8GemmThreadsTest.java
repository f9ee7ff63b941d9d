package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Thread-count invariance of the native INT8 GEMM, and concurrent calls from several Java threads. */
class Int8GemmThreadsTest {
    private static float[] gaussian(Random r, int len, double sd) {
        float[] f = new float[len];
        for (int i = 0; i < len; i++) f[i] = (float) (sd * r.nextGaussian());
        return f;
    }

    /** s32, f32+bias+GELU and the fused Linear give bit-identical results with 1, 2 and 3 threads. */
    @Test
    void resultsDoNotDependOnTheThreadCount() {
        // M=1 and 5 split N; 255 and 1500 split M (and N when there are few M blocks). Below 2^23 multiply-adds a GEMM
        // runs on the calling thread (dqw::kMinParallelWork), so the first two shapes check that path and the last
        // two M=1 / M=5 shapes (10.5 M and 9.9 M) the split over N.
        int[][] shapes = {{1, 384, 1536}, {5, 1280, 515}, {255, 384, 640}, {1500, 64, 96}, {1, 4096, 2560}, {5, 1280, 1539}};
        Random r = new Random(7);
        int before = CpuRuntime.threads();
        try {
            for (int[] s : shapes) {
                int m = s[0], k = s[1], n = s[2];
                try (Tensor x = Tensor.of(gaussian(r, m * k, 1.0), m, k); Tensor w = Tensor.of(gaussian(r, n * k, 0.05), n, k);
                        NativeInt8Weights wts = NativeInt8Weights.quantize(w); Tensor bias = Tensor.of(gaussian(r, n, 1.0), n);
                        Tensor q = Tensor.allocate(DType.S8, m, k); Tensor sa = Tensor.allocate(DType.F32, m);
                        Tensor c = Tensor.allocate(DType.S32, m, n); Tensor y = Tensor.allocate(DType.F32, m, n)) {
                    int[] c1 = null;
                    float[] y1 = null, l1 = null;
                    for (int threads = 1; threads <= 3; threads++) {
                        CpuRuntime.setThreads(threads);
                        Int8Gemm.quantizeRows(x, q, sa);
                        Int8Gemm.gemmS32(q, wts, c);
                        int[] cs = c.toIntArray();
                        Int8Gemm.gemm(q, sa, wts, bias, true, y);
                        float[] ys = y.toFloatArray();
                        Int8Gemm.linear(x, wts, bias, true, y);
                        float[] ls = y.toFloatArray();
                        if (c1 == null) {
                            c1 = cs;
                            y1 = ys;
                            l1 = ls;
                        } else {
                            String ctx = threads + " threads, M=" + m + " K=" + k + " N=" + n;
                            assertArrayEquals(c1, cs, ctx + " s32");
                            assertArrayEquals(y1, ys, ctx + " f32");
                            assertArrayEquals(l1, ls, ctx + " linear");
                        }
                    }
                    assertArrayEquals(y1, l1, "linear == quantize + gemm");
                }
            }
        } finally {
            CpuRuntime.setThreads(before);
        }
    }

    /** Several Java threads calling linear at once (own inputs, shared weights) get the serial results. */
    @Test
    void concurrentCallersGetTheSerialResults() throws Exception {
        int m = 64, k = 512, n = 384, callers = 4;
        Random r = new Random(11);
        try (Tensor w = Tensor.of(gaussian(r, n * k, 0.05), n, k); NativeInt8Weights wts = NativeInt8Weights.quantize(w)) {
            List<float[]> inputs = new ArrayList<>(), expected = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                float[] x = gaussian(r, (t + 1) * m * k, 1.0);
                inputs.add(x);
                try (Tensor xt = Tensor.of(x, (long) (t + 1) * m, k); Tensor y = Tensor.allocate(DType.F32, (long) (t + 1) * m, n)) {
                    Int8Gemm.linear(xt, wts, null, t % 2 == 0, y);
                    expected.add(y.toFloatArray());
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < callers; t++) {
                    final int id = t;
                    done.add(pool.submit(() -> {
                        int rows = (id + 1) * m;
                        try (Tensor xt = Tensor.of(inputs.get(id), rows, k); Tensor y = Tensor.allocate(DType.F32, rows, n)) {
                            for (int rep = 0; rep < 20; rep++) {
                                Int8Gemm.linear(xt, wts, null, id % 2 == 0, y);
                                assertArrayEquals(expected.get(id), y.toFloatArray(), "caller " + id + " rep " + rep);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get();
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
