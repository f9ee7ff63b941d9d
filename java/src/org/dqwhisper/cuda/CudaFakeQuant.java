package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.KernelArguments.*;

import org.dqwhisper.nativelib.NativeCudaKernels;
import org.dqwhisper.tensor.DType;

/**
 * Fake quantization of {@code x[N,K]} (F32) for quantization-aware training, see {@link FakeQuantSpec}.
 * Forward {@code y = s·(clamp(rint(x/s) + z, qmin, qmax) - z)}; backward: straight-through estimator
 * with clipping for x and the LSQ gradient for the scales (and zero points). Scales and zero points
 * are F32 {@code [spec.scaleCount(N, K)]}; zero may be null for symmetric specs.
 */
public final class CudaFakeQuant {
    /** Floats of scratch the per-tensor backward needs (a {@code [WORK_FLOATS]} F32 buffer). */
    public static final int WORK_FLOATS = 2048;

    private CudaFakeQuant() {}

    public static void forward(CudaBuffer x, CudaBuffer y, CudaBuffer scale, CudaBuffer zero, FakeQuantSpec spec,
            CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] nk = dims(x, spec);
        require("fakeQuant y", y, DType.F32, nk[0], nk[1]);
        long[] sz = scales(scale, zero, spec, nk);
        CudaException.check(NativeCudaKernels.dqw_cuda_fake_quant_forward(x.address(), y.address(), sz[0], sz[1], nk[0],
                nk[1], spec.granularityCode(), spec.group(), spec.bits(), spec.symmetric() ? 1 : 0,
                CudaStream.handleOf(stream)), "fakeQuant forward " + x.describe());
    }

    /**
     * dx (= dy inside the clipping range, else 0), dscale = gradScale·Σ dy·∂y/∂s (LSQ), dzero likewise
     * (asymmetric only). dscale / dzero may be null; work F32 [WORK_FLOATS] is needed for PER_TENSOR
     * when a scale gradient is requested.
     */
    public static void backward(CudaBuffer x, CudaBuffer dy, CudaBuffer scale, CudaBuffer zero, CudaBuffer dx,
            CudaBuffer dscale, CudaBuffer dzero, CudaBuffer work, FakeQuantSpec spec, float gradScale,
            CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] nk = dims(x, spec);
        require("fakeQuant dy", dy, DType.F32, nk[0], nk[1]);
        require("fakeQuant dx", dx, DType.F32, nk[0], nk[1]);
        long[] sz = scales(scale, zero, spec, nk);
        long count = spec.scaleCount(nk[0], nk[1]);
        long ds = optional("fakeQuant dscale", dscale, DType.F32, count);
        long dz = spec.symmetric() ? 0L : optional("fakeQuant dzero", dzero, DType.F32, count);
        boolean needWork = spec.granularity() == FakeQuantSpec.Granularity.PER_TENSOR && (ds != 0 || dz != 0);
        long w = needWork ? require("fakeQuant work", work, DType.F32, WORK_FLOATS).address()
                : optional("fakeQuant work", work, DType.F32, WORK_FLOATS);
        CudaException.check(NativeCudaKernels.dqw_cuda_fake_quant_backward(x.address(), dy.address(), sz[0], sz[1],
                dx.address(), ds, dz, w, nk[0], nk[1], spec.granularityCode(), spec.group(), spec.bits(),
                spec.symmetric() ? 1 : 0, gradScale, CudaStream.handleOf(stream)), "fakeQuant backward " + x.describe());
    }

    /** Min/max initialisation: symmetric s = max|x|/qmax; asymmetric s = range/(qmax-qmin), integral z. */
    public static void initScales(CudaBuffer x, CudaBuffer scale, CudaBuffer zero, FakeQuantSpec spec,
            CudaStream stream) {
        CudaRuntime.requireAvailable();
        long[] nk = dims(x, spec);
        long count = spec.scaleCount(nk[0], nk[1]);
        require("fakeQuant scale", scale, DType.F32, count);
        long z = spec.symmetric() ? optional("fakeQuant zero", zero, DType.F32, count)
                : require("fakeQuant zero", zero, DType.F32, count).address();
        CudaException.check(NativeCudaKernels.dqw_cuda_fake_quant_init_scales(x.address(), scale.address(), z, nk[0],
                nk[1], spec.granularityCode(), spec.group(), spec.bits(), spec.symmetric() ? 1 : 0,
                CudaStream.handleOf(stream)), "fakeQuant initScales " + x.describe());
    }

    private static long[] dims(CudaBuffer x, FakeQuantSpec spec) {
        if (spec == null) throw new IllegalArgumentException("fakeQuant spec is null");
        require("fakeQuant x", x, DType.F32, -1, -1);
        positive("fakeQuant N", x.dim(0));
        positive("fakeQuant K", x.dim(1));
        toInt("fakeQuant N", x.dim(0));
        return new long[] {x.dim(0), x.dim(1)};
    }

    private static long[] scales(CudaBuffer scale, CudaBuffer zero, FakeQuantSpec spec, long[] nk) {
        long count = spec.scaleCount(nk[0], nk[1]);
        long s = require("fakeQuant scale", scale, DType.F32, count).address();
        long z = spec.symmetric() ? 0L : require("fakeQuant zero", zero, DType.F32, count).address();
        return new long[] {s, z};
    }
}
