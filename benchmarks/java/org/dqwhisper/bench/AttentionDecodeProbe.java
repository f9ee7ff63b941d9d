package org.dqwhisper.bench;

import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/** One decoding step's cross-attention (1 query, 1500 keys, base width): µs per call, 1 thread. */
public final class AttentionDecodeProbe {
    public static void main(String[] args) {
        CpuRuntime.setThreads(1);
        int tk = 1500, d = 512, heads = 8;
        try (Tensor q = Tensor.allocate(DType.F32, 1, 1, d); Tensor k = Tensor.allocate(DType.F32, 1, tk, d);
                Tensor v = Tensor.allocate(DType.F32, 1, tk, d); Tensor o = Tensor.allocate(DType.F32, 1, 1, d)) {
            q.fill(0.01f);
            k.fill(0.02f);
            v.fill(0.03f);
            for (int rep = 0; rep < 5; rep++) {
                long s = System.nanoTime();
                for (int i = 0; i < 200; i++) NnKernels.attention(q, k, v, heads, -1, o, null);
                System.out.printf("cross-attention decode step: %.1f us/call%n", (System.nanoTime() - s) / 1e3 / 200);
            }
        }
    }
}
