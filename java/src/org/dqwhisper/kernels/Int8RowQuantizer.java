package org.dqwhisper.kernels;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * The INT8 quantization convention of {@link GemmBackend} in plain Java: symmetric, one scale per row,
 * {@code inv = 127f/amax; q = clamp(rint(x*inv), -127, 127); scale = amax/127f}, an all-zero (or NaN)
 * row giving scale 0 and q = 0. Used for weights (one row per output channel) when packing, and to
 * prepare pre-quantized activations for benchmarks.
 */
public final class Int8RowQuantizer {
    private Int8RowQuantizer() {}

    /** Quantizes {@code x[off, off+len)} into {@code q[qOff, qOff+len)}; returns the row's scale. */
    public static float quantize(float[] x, int off, int len, byte[] q, int qOff) {
        float amax = 0f;
        for (int i = 0; i < len; i++) amax = Math.max(amax, Math.abs(x[off + i]));
        if (!(amax > 0f)) {
            java.util.Arrays.fill(q, qOff, qOff + len, (byte) 0);
            return 0f;
        }
        float inv = 127f / amax;
        for (int i = 0; i < len; i++) {
            double r = Math.rint(x[off + i] * inv); // float product, then round-half-even
            q[qOff + i] = (byte) Math.max(-127, Math.min(127, (int) r));
        }
        return amax / 127f;
    }

    /** Quantizes each row of F32 {@code x[M,K]} into S8 {@code q[M,K]} with F32 {@code scales[M]}. */
    public static void quantizeRows(Tensor x, Tensor q, Tensor scales) {
        String op = "Int8RowQuantizer.quantizeRows";
        long[] s = GemmArgumentChecks.matrix(op, "x", x, DType.F32);
        GemmArgumentChecks.shape(op, "q", q, DType.S8, s[0], s[1]);
        GemmArgumentChecks.shape(op, "scales", scales, DType.F32, s[0]);
        int m = GemmArgumentChecks.dimension(op, "M", s[0], true);
        int k = GemmArgumentChecks.dimension(op, "K", s[1], true);
        float[] row = new float[k];
        byte[] qRow = new byte[k];
        float[] sc = new float[m];
        FloatPointer xp = x.floatPointer();
        BytePointer qp = q.bytePointer();
        for (int i = 0; i < m; i++) {
            xp.position((long) i * k).get(row, 0, k);
            sc[i] = quantize(row, 0, k, qRow, 0);
            qp.position((long) i * k).put(qRow, 0, k);
        }
        scales.copyFrom(sc);
    }
}
