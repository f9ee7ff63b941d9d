package org.dqwhisper.whisper.cuda;

import java.util.HashMap;
import java.util.Map;
import org.dqwhisper.cuda.CudaBuffer;
import org.dqwhisper.tensor.DType;

/**
 * Named device work buffers of one {@link CudaSpeechModel}, kept between calls and grown on demand, so that the
 * decoder's per-token steps allocate nothing. A buffer handed out stays valid until the next {@link #take} of
 * the same name with a larger size; callers hold the model's lock while they use them.
 */
final class DeviceScratch implements AutoCloseable {
    private final Map<String, CudaBuffer> buffers = new HashMap<>();

    /** A {@code [rows, cols]} view of the buffer {@code name} (allocated or grown to at least that size). */
    CudaBuffer take(String name, DType dtype, long rows, long cols) {
        return take(name, dtype, Math.multiplyExact(rows, cols)).reshape(rows, cols);
    }

    /** A {@code [n]} view of the buffer {@code name} (allocated or grown to at least {@code n} elements). */
    CudaBuffer take(String name, DType dtype, long n) {
        if (n < 1) throw new IllegalArgumentException("scratch '" + name + "': " + n + " elements");
        CudaBuffer b = buffers.get(name);
        if (b != null && (b.dtype() != dtype || b.numel() < n)) {
            buffers.remove(name);
            b.close();
            b = null;
        }
        if (b == null) {
            b = CudaBuffer.allocate("scratch." + name, dtype, n);
            buffers.put(name, b);
        }
        return b.rows(0, n);
    }

    /** Device bytes held. */
    long bytes() {
        long s = 0;
        for (CudaBuffer b : buffers.values()) s += b.byteSize();
        return s;
    }

    @Override
    public void close() {
        for (CudaBuffer b : buffers.values()) b.close();
        buffers.clear();
    }
}
