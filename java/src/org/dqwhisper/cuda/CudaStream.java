package org.dqwhisper.cuda;

import org.bytedeco.javacpp.LongPointer;
import org.dqwhisper.nativelib.NativeCuda;

/**
 * A CUDA stream: kernels and copies issued on one stream run in order, asynchronously to the host.
 * {@link #defaultStream()} is the legacy default stream (handle 0), which is never destroyed.
 */
public final class CudaStream implements AutoCloseable {
    private static final CudaStream DEFAULT = new CudaStream(0L, true);

    private final long handle;
    private final boolean isDefault;
    private volatile boolean closed;

    private CudaStream(long handle, boolean isDefault) {
        this.handle = handle;
        this.isDefault = isDefault;
    }

    /** Creates a stream that does not synchronize with the legacy default stream. */
    public static CudaStream create() {
        CudaRuntime.requireAvailable();
        try (LongPointer p = new LongPointer(1)) {
            CudaException.check(NativeCuda.dqw_cuda_stream_create(p), "cudaStreamCreate");
            return new CudaStream(p.get(), false);
        }
    }

    /** The legacy default stream (no device is touched until it is used). */
    public static CudaStream defaultStream() {
        return DEFAULT;
    }

    /** The cudaStream_t handle (0 for the default stream); checks the stream is open. */
    public long handle() {
        if (closed) throw new IllegalStateException("CUDA stream is closed");
        return handle;
    }

    /** Waits for all work issued on this stream; reports faults of its kernels. */
    public void synchronize() {
        CudaRuntime.requireAvailable();
        CudaException.check(NativeCuda.dqw_cuda_stream_synchronize(handle()), "cudaStreamSynchronize");
    }

    public boolean isClosed() {
        return closed;
    }

    /** Destroys the stream (work already issued still completes). The default stream ignores this. */
    @Override
    public void close() {
        if (isDefault || closed) return;
        closed = true;
        CudaException.check(NativeCuda.dqw_cuda_stream_destroy(handle), "cudaStreamDestroy");
    }

    /** The handle of {@code s}, or of the default stream when {@code s} is null. */
    static long handleOf(CudaStream s) {
        return s == null ? 0L : s.handle();
    }
}
