package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.CudaTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dqwhisper.tensor.DType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaModelOps} (im2col, residual add) and {@link CudaBuffer#rows} views through the Java API, against
 * plain-Java references. Both kernels round once per element (im2col: the input to the output dtype; add: the
 * exact sum to float), so the expected values are rounded the same way and compared exactly.
 */
@Tag("gpu")
class CudaModelOpsTest {
    @BeforeEach
    void needsDevice() {
        assumeTrue(CudaRuntime.available(), NO_GPU + ": " + CudaRuntime.status().detail());
    }

    static float[] im2colReference(float[] x, boolean channelMajor, int t, int c, int k, int stride, int pad, int tOut) {
        float[] out = new float[tOut * c * k];
        for (int o = 0; o < tOut; o++)
            for (int ch = 0; ch < c; ch++)
                for (int j = 0; j < k; j++) {
                    int tt = o * stride + j - pad;
                    out[(o * c + ch) * k + j] = tt < 0 || tt >= t ? 0f : x[channelMajor ? ch * t + tt : tt * c + ch];
                }
        return out;
    }

    @Test
    void im2colBothLayoutsAndDtypes() {
        SplittableRandom r = new SplittableRandom(41);
        int[][] cases = {{1, 1, 1, 1, 0}, {300, 8, 3, 1, 1}, {301, 5, 3, 2, 1}, {17, 9, 5, 3, 2}};
        for (int[] cs : cases) {
            int t = cs[0], c = cs[1], k = cs[2], stride = cs[3], pad = cs[4];
            int tOut = (int) CudaModelOps.conv1dOutputLength(t, k, stride, pad);
            for (boolean channelMajor : new boolean[] {true, false}) {
                float[] x = floats(r, t * c, -3, 3);
                float[] want = im2colReference(x, channelMajor, t, c, k, stride, pad, tOut);
                try (CudaBuffer dx = CudaBuffer.of(x, channelMajor ? c : t, channelMajor ? t : c);
                        CudaBuffer f32 = CudaBuffer.allocate(DType.F32, tOut, (long) c * k);
                        CudaBuffer f16 = CudaBuffer.allocate(DType.F16, tOut, (long) c * k)) {
                    CudaModelOps.im2col1d(dx, channelMajor, k, stride, pad, f32, null);
                    CudaModelOps.im2col1d(dx, channelMajor, k, stride, pad, f16, null);
                    String what = "im2col " + Arrays.toString(cs) + (channelMajor ? " channel-major" : " time-major");
                    assertArrayEquals(want, f32.toFloatArray(), what + " F32");
                    float[] half = want.clone();
                    encode(DType.F16, half);
                    assertArrayEquals(half, decode(DType.F16, f16.toShortArray()), what + " F16");
                }
            }
        }
    }

    @Test
    void addInPlaceAndRowViews() {
        SplittableRandom r = new SplittableRandom(42);
        float[] y = floats(r, 7 * 5, -5, 5), x = floats(r, 3 * 5, -5, 5);
        try (CudaBuffer dy = CudaBuffer.of(y, 7, 5); CudaBuffer dx = CudaBuffer.of(x, 3, 5)) {
            CudaModelOps.addInPlace(dy.rows(2, 5), dx, null); // rows 2..4 of y += x
            float[] got = dy.toFloatArray();
            for (int i = 0; i < y.length; i++) {
                int row = i / 5;
                float want = row >= 2 && row < 5 ? y[i] + x[i - 10] : y[i];
                assertEquals(want, got[i], 0f, "element " + i);
            }
            assertArrayEquals(java.util.Arrays.copyOfRange(got, 10, 25), dy.rows(2, 5).toFloatArray());
            assertEquals(0, dy.rows(3, 3).numel());
            assertThrows(IllegalArgumentException.class, () -> dy.rows(5, 8));
            assertThrows(IllegalArgumentException.class, () -> dy.rows(-1, 2));
            assertThrows(IllegalArgumentException.class, () -> CudaModelOps.addInPlace(dy, dx, null));
            assertThrows(IllegalArgumentException.class, () -> CudaModelOps.addInPlace(dy.rows(0, 3), dy.rows(1, 4), null),
                    "partly overlapping");
            CudaModelOps.addInPlace(dx, dx, null); // x += x is allowed
            for (int i = 0; i < x.length; i++) assertEquals(2 * x[i], dx.toFloatArray()[i], 0f);
        }
    }

    @Test
    void im2colChecksShapes() {
        try (CudaBuffer x = CudaBuffer.allocate(DType.F32, 8, 10); CudaBuffer cols = CudaBuffer.allocate(DType.F16, 11, 30);
                CudaBuffer s8 = CudaBuffer.allocate(DType.S8, 10, 30); CudaBuffer ok = CudaBuffer.allocate(DType.F16, 10, 30)) {
            // time-major x [T=8, C=10], k 3 s 1 p 1 -> 8 rows; channel-major x [C=8, T=10] -> 10 rows of 24
            assertThrows(IllegalArgumentException.class, () -> CudaModelOps.im2col1d(x, false, 3, 1, 1, ok, null));
            assertThrows(IllegalArgumentException.class, () -> CudaModelOps.im2col1d(x, true, 3, 1, 1, cols, null));
            assertThrows(IllegalArgumentException.class, () -> CudaModelOps.im2col1d(x, true, 3, 1, 1, s8, null));
            assertThrows(IllegalArgumentException.class, () -> CudaModelOps.im2col1d(x, true, 3, 1, 3, ok, null));
            CudaBuffer closed = CudaBuffer.allocate(DType.F16, 10, 24);
            closed.close();
            assertThrows(IllegalStateException.class, () -> CudaModelOps.im2col1d(x, true, 3, 1, 1, closed, null));
        }
    }
}
