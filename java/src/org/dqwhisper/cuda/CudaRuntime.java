package org.dqwhisper.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.dqwhisper.nativelib.NativeCuda;

/**
 * Probes the CUDA library once. Never throws: a machine without nvcc at build time, without a
 * driver or without a device gets a {@link Status} saying so, and callers fall back to the CPU.
 */
public final class CudaRuntime {
    public enum State { AVAILABLE, NOT_BUILT, NO_DRIVER_OR_DEVICE, LOAD_FAILED }

    public record Status(State state, int deviceCount, int cudaError, String detail, int builtVersion,
            int driverVersion, String deviceName, int computeMajor, int computeMinor) {
        public boolean available() {
            return state == State.AVAILABLE;
        }
    }

    private static volatile Status status;

    private CudaRuntime() {}

    public static Status status() {
        Status s = status;
        if (s == null) {
            synchronized (CudaRuntime.class) {
                if (status == null) status = probe();
                s = status;
            }
        }
        return s;
    }

    public static boolean available() {
        return status().available();
    }

    /**
     * Throws a {@link CudaException} with the message {@code "no CUDA device: <detail>"} unless a device
     * is usable. Every CUDA API call of this package starts with it.
     */
    public static void requireAvailable() {
        Status s = status();
        if (!s.available()) throw CudaException.noDevice(s);
    }

    private static Status probe() {
        int built;
        try {
            // an UnsatisfiedLinkError in a static initializer becomes NoClassDefFoundError on every
            // later use, so this is the only place that touches NativeCuda before it is known to load
            built = NativeCuda.dqw_cuda_built_version();
        } catch (Throwable t) {
            return new Status(State.LOAD_FAILED, 0, 0, String.valueOf(t), 0, 0, null, 0, 0);
        }
        if (built == 0) {
            return new Status(State.NOT_BUILT, 0, -1000, "libdqw_cuda was built without a CUDA compiler", 0, 0, null, 0, 0);
        }
        try (IntPointer count = new IntPointer(1); IntPointer drv = new IntPointer(1)) {
            int err = NativeCuda.dqw_cuda_device_count(count);
            NativeCuda.dqw_cuda_driver_version(drv);
            if (err != 0 || count.get() == 0) {
                String detail = err != 0
                        ? NativeCuda.dqw_cuda_error_name(err).getString() + ": " + NativeCuda.dqw_cuda_error_string(err).getString()
                        : "no CUDA device";
                return new Status(State.NO_DRIVER_OR_DEVICE, 0, err, detail, built, drv.get(), null, 0, 0);
            }
            try (BytePointer name = new BytePointer(256); IntPointer major = new IntPointer(1);
                    IntPointer minor = new IntPointer(1); LongPointer mem = new LongPointer(1); IntPointer sms = new IntPointer(1)) {
                int e2 = NativeCuda.dqw_cuda_device_info(0, name, 256, major, minor, mem, sms);
                String dev = e2 == 0 ? name.getString() : "device 0";
                return new Status(State.AVAILABLE, count.get(), 0, dev + ", " + (mem.get() >> 20) + " MiB, " + sms.get() + " SMs",
                        built, drv.get(), dev, major.get(), minor.get());
            }
        }
    }
}
