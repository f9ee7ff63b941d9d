package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.KernelArguments.*;

import org.dqwhisper.nativelib.NativeCudaModelOps;
import org.dqwhisper.tensor.DType;

/**
 * The CUDA kernels a Whisper forward needs beyond the GEMMs, attention and {@link CudaNnKernels}: the im2col of
 * the audio stem's 1-D convolutions (PyTorch {@code Conv1d}, weight {@code [out, C, kernel]} used as
 * {@code [out, C·kernel]}) and the in-place residual add. Asynchronous on {@code stream} (null = default stream);
 * shapes and dtypes are checked first.
 */
public final class CudaModelOps {
    private CudaModelOps() {}

    /** Output length of a 1-D convolution over {@code t} frames (PyTorch's formula). */
    public static long conv1dOutputLength(long t, int kernel, int stride, int pad) {
        if (kernel < 1 || stride < 1 || pad < 0 || pad >= kernel) {
            throw new IllegalArgumentException("conv1d: kernel " + kernel + ", stride " + stride + ", pad " + pad
                    + " (need kernel >= 1, stride >= 1, 0 <= pad < kernel)");
        }
        if (t + 2L * pad < kernel) throw new IllegalArgumentException("conv1d: " + t + " frames are shorter than the kernel " + kernel);
        return (t + 2L * pad - kernel) / stride + 1;
    }

    /**
     * {@code cols[o, c·kernel + j] = x(o·stride + j - pad, c)} (0 outside the input), rounded to the dtype of
     * {@code cols} (F32, F16 or BF16).
     *
     * @param x F32, {@code [C, T]} when {@code channelMajor} (a mel spectrogram) else {@code [T, C]}
     * @param cols {@code [t_out, C·kernel]} with {@code 1 <= t_out <= conv1dOutputLength(T, kernel, stride, pad)}
     */
    public static void im2col1d(CudaBuffer x, boolean channelMajor, int kernel, int stride, int pad, CudaBuffer cols,
            CudaStream stream) {
        CudaRuntime.requireAvailable();
        require("im2col x", x, DType.F32, -1, -1);
        long t = channelMajor ? x.dim(1) : x.dim(0), c = channelMajor ? x.dim(0) : x.dim(1);
        positive("im2col frames", t);
        positive("im2col channels", c);
        long maxOut = conv1dOutputLength(t, kernel, stride, pad);
        requireRank("im2col cols", cols, 2);
        int code = floatCode("im2col cols", cols.dtype());
        long tOut = cols.dim(0);
        if (tOut < 1 || tOut > maxOut) {
            throw new IllegalArgumentException("im2col cols: " + cols.describe() + " has " + tOut + " rows, the convolution gives 1.." + maxOut);
        }
        require("im2col cols", cols, cols.dtype(), tOut, Math.multiplyExact(c, (long) kernel));
        distinct("im2col cols", cols, "x", x);
        long tStride = channelMajor ? 1 : c, cStride = channelMajor ? t : 1;
        CudaException.check(NativeCudaModelOps.dqw_cuda_im2col_1d(x.address(), tStride, cStride, t, c, kernel, stride, pad,
                cols.address(), code, tOut, CudaStream.handleOf(stream)), "im2col " + x.describe() + " -> " + cols.describe());
    }

    /** {@code y += x} element-wise (F32, same element count; x may be y itself but must not partly overlap it). */
    public static void addInPlace(CudaBuffer y, CudaBuffer x, CudaStream stream) {
        CudaRuntime.requireAvailable();
        if (y == null || x == null) throw new IllegalArgumentException("addInPlace: y and x are required");
        y.checkOpen();
        x.checkOpen();
        if (y.dtype() != DType.F32 || x.dtype() != DType.F32 || y.numel() != x.numel()) {
            throw new IllegalArgumentException("addInPlace: " + y.describe() + " and " + x.describe() + " must be F32 of equal size");
        }
        if (y.address() != x.address()) distinct("addInPlace y", y, "x", x);
        CudaException.check(NativeCudaModelOps.dqw_cuda_add_inplace_f32(y.address(), x.address(), y.numel(),
                CudaStream.handleOf(stream)), "addInPlace " + y.describe() + " += " + x.describe());
    }
}
