package org.dqwhisper.cuda;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.dqwhisper.nativelib.NativeCuda;

/** A CUDA event for ordering and timing work on streams. */
public final class CudaEvent implements AutoCloseable {
    private final long handle;
    private volatile boolean closed;

    private CudaEvent(long handle) {
        this.handle = handle;
    }

    public static CudaEvent create() {
        CudaRuntime.requireAvailable();
        try (LongPointer p = new LongPointer(1)) {
            CudaException.check(NativeCuda.dqw_cuda_event_create(p), "cudaEventCreate");
            return new CudaEvent(p.get());
        }
    }

    private long handle() {
        if (closed) throw new IllegalStateException("CUDA event is closed");
        return handle;
    }

    /** Records this event on {@code stream} (null = default stream). */
    public void record(CudaStream stream) {
        CudaRuntime.requireAvailable();
        CudaException.check(NativeCuda.dqw_cuda_event_record(handle(), CudaStream.handleOf(stream)), "cudaEventRecord");
    }

    /** Waits until the work before the recorded event is done. */
    public void synchronize() {
        CudaRuntime.requireAvailable();
        CudaException.check(NativeCuda.dqw_cuda_event_synchronize(handle()), "cudaEventSynchronize");
    }

    /** Milliseconds between two recorded, completed events. */
    public static float elapsedMillis(CudaEvent start, CudaEvent end) {
        CudaRuntime.requireAvailable();
        try (FloatPointer ms = new FloatPointer(1)) {
            CudaException.check(NativeCuda.dqw_cuda_event_elapsed_ms(ms, start.handle(), end.handle()),
                    "cudaEventElapsedTime");
            return ms.get();
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        CudaException.check(NativeCuda.dqw_cuda_event_destroy(handle), "cudaEventDestroy");
    }
}
