package org.dqwhisper.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.dqwhisper.nativelib.NativeCuda;

/**
 * A CUDA device and the calls that act on the current device. Every method first checks
 * {@link CudaRuntime#requireAvailable()} and turns CUDA errors into {@link CudaException}.
 *
 * @param index device ordinal
 * @param name marketing name, e.g. "NVIDIA H100 80GB HBM3"
 * @param computeMajor compute capability major (9 for H100)
 * @param computeMinor compute capability minor
 * @param totalMemory bytes of device memory
 * @param multiprocessors streaming multiprocessors
 */
public record CudaDevice(int index, String name, int computeMajor, int computeMinor, long totalMemory,
        int multiprocessors) {

    /** Free and total device memory of the current device, in bytes. */
    public record MemoryInfo(long free, long total) {}

    /** Number of CUDA devices. */
    public static int count() {
        CudaRuntime.requireAvailable();
        try (IntPointer n = new IntPointer(1)) {
            CudaException.check(NativeCuda.dqw_cuda_device_count(n), "cudaGetDeviceCount");
            return n.get();
        }
    }

    /** Properties of device {@code index}. */
    public static CudaDevice get(int index) {
        CudaRuntime.requireAvailable();
        int n = count();
        if (index < 0 || index >= n) throw new IllegalArgumentException("CUDA device " + index + " out of [0, " + n + ")");
        try (BytePointer name = new BytePointer(256); IntPointer major = new IntPointer(1);
                IntPointer minor = new IntPointer(1); LongPointer mem = new LongPointer(1); IntPointer sms = new IntPointer(1)) {
            CudaException.check(NativeCuda.dqw_cuda_device_info(index, name, 256, major, minor, mem, sms),
                    "cudaGetDeviceProperties(" + index + ")");
            return new CudaDevice(index, name.getString(), major.get(), minor.get(), mem.get(), sms.get());
        }
    }

    /** The current device of the calling thread. */
    public static CudaDevice current() {
        CudaRuntime.requireAvailable();
        try (IntPointer d = new IntPointer(1)) {
            CudaException.check(NativeCuda.dqw_cuda_get_device(d), "cudaGetDevice");
            return get(d.get());
        }
    }

    /** Makes this device current for the calling thread. */
    public void makeCurrent() {
        CudaRuntime.requireAvailable();
        CudaException.check(NativeCuda.dqw_cuda_set_device(index), "cudaSetDevice(" + index + ")");
    }

    /** Waits until all work on the current device has finished; reports faults of earlier kernels. */
    public static void synchronize() {
        CudaRuntime.requireAvailable();
        CudaException.check(NativeCuda.dqw_cuda_synchronize(), "cudaDeviceSynchronize");
    }

    /** Free and total memory of the current device. */
    public static MemoryInfo memoryInfo() {
        CudaRuntime.requireAvailable();
        try (LongPointer free = new LongPointer(1); LongPointer total = new LongPointer(1)) {
            CudaException.check(NativeCuda.dqw_cuda_mem_get_info(free, total), "cudaMemGetInfo");
            return new MemoryInfo(free.get(), total.get());
        }
    }

    @Override
    public String toString() {
        return "CUDA device " + index + ": " + name + " (sm_" + computeMajor + computeMinor + ", " + multiprocessors
                + " SMs, " + (totalMemory >> 20) + " MiB)";
    }
}
