package org.dqwhisper.cuda;

import org.dqwhisper.nativelib.NativeCuda;

/**
 * A CUDA call failed, or there is no usable device. The message names the operation, the CUDA error
 * name and its description, e.g. {@code "cudaMalloc 1073741824 bytes: cudaErrorMemoryAllocation (2): out of memory"}.
 */
public class CudaException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    /** The error code of a missing device, a missing driver or a library built without nvcc. */
    public static final int NO_DEVICE = -1;

    private final int error;
    private final String errorName;

    CudaException(String message, int error, String errorName) {
        super(message);
        this.error = error;
        this.errorName = errorName;
    }

    /** The cudaError_t value (or -1000 for a stub library, {@link #NO_DEVICE} when none was probed). */
    public int error() {
        return error;
    }

    /** The CUDA error name, e.g. {@code cudaErrorInvalidValue}. */
    public String errorName() {
        return errorName;
    }

    /** Throws a {@link CudaException} for {@code what} unless {@code err} is 0 (cudaSuccess). */
    static void check(int err, String what) {
        if (err == 0) return;
        String name;
        String text;
        try {
            name = NativeCuda.dqw_cuda_error_name(err).getString();
            text = NativeCuda.dqw_cuda_error_string(err).getString();
        } catch (RuntimeException | LinkageError e) {
            name = "cudaError" + err;
            text = "(no description: " + e + ")";
        }
        throw new CudaException(what + ": " + name + " (" + err + "): " + text, err, name);
    }

    static CudaException noDevice(CudaRuntime.Status status) {
        return new CudaException("no CUDA device: " + status.detail() + " (" + status.state() + ")",
                status.cudaError() != 0 ? status.cudaError() : NO_DEVICE, String.valueOf(status.state()));
    }
}
