package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.CudaTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.dqwhisper.tensor.DType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fake quantization on CUDA against a plain-Java reference that repeats the kernel's float operations
 * (Java float arithmetic is IEEE without contraction), so forward, dx and the min/max scales must be
 * bit-identical; the LSQ scale / zero-point gradients are summed in double.
 */
@Tag("gpu")
class CudaFakeQuantTest {
    @BeforeEach
    void needsDevice() {
        assumeTrue(CudaRuntime.available(), NO_GPU + ": " + CudaRuntime.status().detail());
    }

    private static int seg(FakeQuantSpec s, int n, int k, int cols) {
        switch (s.granularity()) {
            case PER_TENSOR: return 0;
            case PER_CHANNEL: return n;
            default: return n * ((cols + s.group() - 1) / s.group()) + k / s.group();
        }
    }

    private void check(FakeQuantSpec spec, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = floats(r, rows * cols, -2, 2), dy = floats(r, rows * cols, -1, 1);
        int ns = (int) spec.scaleCount(rows, cols);
        float qmin = spec.qmin(), qmax = spec.qmax();
        // min/max initialisation, in the kernel's float operations
        float[] lo = new float[ns], hi = new float[ns], am = new float[ns];
        java.util.Arrays.fill(lo, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(hi, Float.NEGATIVE_INFINITY);
        for (int n = 0; n < rows; n++)
            for (int k = 0; k < cols; k++) {
                int g = seg(spec, n, k, cols);
                float v = x[n * cols + k];
                lo[g] = Math.min(lo[g], v);
                hi[g] = Math.max(hi[g], v);
                am[g] = Math.max(am[g], Math.abs(v));
            }
        float[] s0 = new float[ns], z0 = new float[ns];
        for (int g = 0; g < ns; g++) {
            if (spec.symmetric()) {
                float s = am[g] / qmax;
                s0[g] = s > 0 ? s : 1f;
            } else {
                float l = Math.min(lo[g], 0f), h = Math.max(hi[g], 0f), s = (h - l) / (qmax - qmin);
                s0[g] = s > 0 ? s : 1f;
                z0[g] = s > 0 ? Math.min(Math.max((float) Math.rint(qmin - l / s), qmin), qmax) : 0f;
            }
        }
        String tag = spec + " " + rows + "x" + cols;
        try (CudaBuffer dx = CudaBuffer.of(x, rows, cols); CudaBuffer ddy = CudaBuffer.of(dy, rows, cols);
                CudaBuffer scale = CudaBuffer.allocate(DType.F32, ns); CudaBuffer zero = CudaBuffer.allocate(DType.F32, ns);
                CudaBuffer y = CudaBuffer.allocate(DType.F32, rows, cols); CudaBuffer gx = CudaBuffer.allocate(DType.F32, rows, cols);
                CudaBuffer gs = CudaBuffer.allocate(DType.F32, ns); CudaBuffer gz = CudaBuffer.allocate(DType.F32, ns);
                CudaBuffer work = CudaBuffer.allocate(DType.F32, CudaFakeQuant.WORK_FLOATS)) {
            CudaFakeQuant.initScales(dx, scale, zero, spec, null);
            assertArrayEquals(s0, scale.toFloatArray(), tag + " init scale");
            if (!spec.symmetric()) assertArrayEquals(z0, zero.toFloatArray(), tag + " init zero");
            // shrink the scales so that values clip; integral zero points
            float[] s = new float[ns], z = new float[ns];
            for (int g = 0; g < ns; g++) {
                s[g] = s0[g] * (float) (0.5 + 0.5 * r.nextDouble());
                z[g] = spec.symmetric() ? 0f : r.nextInt(spec.qmin(), spec.qmax() + 1);
            }
            scale.copyFrom(s);
            zero.copyFrom(z);
            CudaFakeQuant.forward(dx, y, scale, spec.symmetric() ? null : zero, spec, null);
            CudaFakeQuant.backward(dx, ddy, scale, spec.symmetric() ? null : zero, gx, gs, spec.symmetric() ? null : gz,
                    work, spec, 0.37f, null);
            float[] wy = new float[x.length], wx = new float[x.length];
            double[] ws = new double[ns], wz = new double[ns], ms = new double[ns], mz = new double[ns];
            for (int n = 0; n < rows; n++)
                for (int k = 0; k < cols; k++) {
                    int i = n * cols + k, g = seg(spec, n, k, cols);
                    float u = x[i] / s[g];
                    float q = Math.min(Math.max((float) Math.rint(u) + z[g], qmin), qmax);
                    wy[i] = s[g] * (q - z[g]);
                    float v = u + z[g], ts, tz = 0f;
                    if (v < qmin) {
                        ts = dy[i] * (qmin - z[g]);
                        tz = dy[i] * -s[g];
                    } else if (v > qmax) {
                        ts = dy[i] * (qmax - z[g]);
                        tz = dy[i] * -s[g];
                    } else {
                        wx[i] = dy[i];
                        ts = dy[i] * ((float) Math.rint(v) - v);
                    }
                    ws[g] += ts;
                    wz[g] += tz;
                    ms[g] += Math.abs(ts);
                    mz[g] += Math.abs(tz);
                }
            for (int g = 0; g < ns; g++) {
                ws[g] *= 0.37;
                wz[g] *= 0.37;
                // float sums (per-thread runs, then shuffle / block trees): 1e-5 of sum |terms|
                ms[g] = 1e-5 * 0.37 * ms[g] + 1e-12;
                mz[g] = 1e-5 * 0.37 * mz[g] + 1e-12;
            }
            assertArrayEquals(wy, y.toFloatArray(), tag + " forward");
            assertArrayEquals(wx, gx.toFloatArray(), tag + " dx");
            assertWithin(tag + " dscale", gs.toFloatArray(), ws, ms);
            if (!spec.symmetric()) assertWithin(tag + " dzero", gz.toFloatArray(), wz, mz);
        }
    }

    @Test
    void everyGranularityBitWidthAndSymmetry() {
        long seed = 0;
        int[][] shapes = {{1, 1}, {3, 100}, {7, 130}};
        for (int[] sh : shapes)
            for (int bits : new int[] {2, 4, 8})
                for (boolean sym : new boolean[] {true, false}) {
                    check(FakeQuantSpec.perTensor(bits, sym), sh[0], sh[1], ++seed);
                    check(FakeQuantSpec.perChannel(bits, sym), sh[0], sh[1], ++seed);
                    for (int g : new int[] {32, 64, 128}) check(FakeQuantSpec.perGroup(g, bits, sym), sh[0], sh[1], ++seed);
                }
        check(FakeQuantSpec.perTensor(8, true), 64, 4096, ++seed); // many partial blocks
    }

    @Test
    void misuseIsRejectedBeforeTheKernel() {
        FakeQuantSpec spec = FakeQuantSpec.perGroup(64, 4, false);
        try (CudaBuffer x = CudaBuffer.allocate(DType.F32, 3, 100); CudaBuffer s = CudaBuffer.allocate(DType.F32, 6);
                CudaBuffer wrong = CudaBuffer.allocate(DType.F32, 5)) {
            assertThrows(IllegalArgumentException.class, () -> CudaFakeQuant.forward(x, x, wrong, s, spec, null), "scale count");
            assertThrows(IllegalArgumentException.class, () -> CudaFakeQuant.forward(x, x, s, null, spec, null), "zero needed");
            FakeQuantSpec t = FakeQuantSpec.perTensor(8, true);
            try (CudaBuffer one = CudaBuffer.allocate(DType.F32, 1)) {
                assertThrows(IllegalArgumentException.class,
                        () -> CudaFakeQuant.backward(x, x, one, null, x, one, null, null, t, 1f, null), "work needed");
            }
        }
    }
}
