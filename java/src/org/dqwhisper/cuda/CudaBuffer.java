package org.dqwhisper.cuda;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.dqwhisper.nativelib.NativeCuda;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * A dense, row-major array in device memory with a {@link DType} and a shape, mirroring
 * {@link Tensor}. Owns its memory unless it is a {@linkplain #reshape view}; {@link #close()} frees it
 * (a {@link Cleaner} frees a forgotten one). Copies to and from tensors and Java arrays check dtype and
 * element count; the plain copy methods are synchronous, the {@code ...Async} ones are ordered on a
 * stream and leave the host memory to the caller until the stream is synchronized. Every method first
 * checks {@link CudaRuntime#requireAvailable()}: without a device it throws
 * {@code CudaException("no CUDA device: ...")}.
 */
public final class CudaBuffer implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final DType dtype;
    private final long[] shape;
    private final long numel;
    private final String name;
    private final long address;
    private final CudaBuffer owner; // non-null for views
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    /** Frees the device block exactly once (close() or the Cleaner). */
    private static final class Block implements Runnable {
        private long ptr;

        Block(long ptr) {
            this.ptr = ptr;
        }

        @Override
        public synchronized void run() {
            if (ptr != 0) {
                NativeCuda.dqw_cuda_free(ptr);
                ptr = 0;
            }
        }
    }

    private CudaBuffer(DType dtype, long[] shape, String name, long address, CudaBuffer owner, Block block) {
        this.dtype = dtype;
        this.shape = shape;
        this.numel = numel(shape);
        this.name = name;
        this.address = address;
        this.owner = owner;
        this.cleanable = block == null ? null : CLEANER.register(this, block);
    }

    /** Allocates an uninitialized device buffer. */
    public static CudaBuffer allocate(DType dtype, long... shape) {
        return allocate(null, dtype, shape);
    }

    /** Allocates an uninitialized device buffer with a name used in error messages. */
    public static CudaBuffer allocate(String name, DType dtype, long... shape) {
        CudaRuntime.requireAvailable();
        if (dtype == null) throw new IllegalArgumentException("CUDA buffer " + label(name) + ": dtype is null");
        long[] s = checkShape(name, shape);
        long bytes = Math.multiplyExact(numel(s), (long) dtype.size());
        try (LongPointer out = new LongPointer(1)) {
            out.put(0L);
            CudaException.check(NativeCuda.dqw_cuda_malloc(out, bytes),
                    "cudaMalloc " + bytes + " bytes for CUDA buffer " + label(name) + " " + dtype + Arrays.toString(s));
            long p = out.get();
            return new CudaBuffer(dtype, s, name, p, null, new Block(p));
        }
    }

    /** A device copy of {@code t} (same dtype, shape and name). */
    public static CudaBuffer of(Tensor t) {
        CudaRuntime.requireAvailable();
        t.checkOpen();
        CudaBuffer b = allocate(t.name(), t.dtype(), t.shape());
        b.copyFrom(t);
        return b;
    }

    public static CudaBuffer of(float[] data, long... shape) {
        CudaBuffer b = allocate(DType.F32, shape);
        b.copyFrom(data);
        return b;
    }

    public static CudaBuffer of(int[] data, long... shape) {
        CudaBuffer b = allocate(DType.S32, shape);
        b.copyFrom(data);
        return b;
    }

    public static CudaBuffer of(byte[] data, long... shape) {
        CudaBuffer b = allocate(DType.S8, shape);
        b.copyFrom(data);
        return b;
    }

    /** F16 or BF16 raw bits. */
    public static CudaBuffer of(DType halfType, short[] bits, long... shape) {
        CudaBuffer b = allocate(halfType, shape);
        b.copyFrom(bits);
        return b;
    }

    // ---- copies ---------------------------------------------------------------------------------------

    /** Copies all of {@code src} (same dtype and element count) into this buffer and waits for it. */
    public void copyFrom(Tensor src) {
        copyFromAsync(src, null);
        CudaStream.defaultStream().synchronize();
    }

    /** Enqueues the copy of {@code src} on {@code stream} (null = default stream). */
    public void copyFromAsync(Tensor src, CudaStream stream) {
        CudaRuntime.requireAvailable();
        requireSameData(src, "copy " + src.describe() + " -> " + describe());
        CudaException.check(NativeCuda.dqw_cuda_memcpy_h2d(address(), src.address(), byteSize(), CudaStream.handleOf(stream)),
                "copy " + src.describe() + " -> " + describe());
    }

    /** Copies this buffer into {@code dst} (same dtype and element count) and waits for it. */
    public void copyTo(Tensor dst) {
        copyToAsync(dst, null);
        CudaStream.defaultStream().synchronize();
    }

    /** Enqueues the copy into {@code dst} on {@code stream}; {@code dst} is valid after synchronizing. */
    public void copyToAsync(Tensor dst, CudaStream stream) {
        CudaRuntime.requireAvailable();
        requireSameData(dst, "copy " + describe() + " -> " + dst.describe());
        CudaException.check(NativeCuda.dqw_cuda_memcpy_d2h(dst.address(), address(), byteSize(), CudaStream.handleOf(stream)),
                "copy " + describe() + " -> " + dst.describe());
    }

    /** A new host tensor with this buffer's dtype, shape, name and contents. */
    public Tensor toTensor() {
        CudaRuntime.requireAvailable();
        Tensor t = Tensor.allocate(name, dtype, shape);
        copyTo(t);
        return t;
    }

    /** Device-to-device copy of {@code src} (same dtype and element count), ordered on {@code stream}. */
    public void copyFrom(CudaBuffer src, CudaStream stream) {
        CudaRuntime.requireAvailable();
        if (src.dtype != dtype || src.numel != numel) {
            throw new IllegalArgumentException("copy " + src.describe() + " -> " + describe() + ": dtype/size mismatch");
        }
        CudaException.check(NativeCuda.dqw_cuda_memcpy_d2d(address(), src.address(), byteSize(), CudaStream.handleOf(stream)),
                "copy " + src.describe() + " -> " + describe());
    }

    /** Sets every byte to 0 (0.0 for the float types), ordered on {@code stream} (null = default). */
    public void zero(CudaStream stream) {
        CudaRuntime.requireAvailable();
        CudaException.check(NativeCuda.dqw_cuda_memset(address(), 0, byteSize(), CudaStream.handleOf(stream)),
                "cudaMemset " + describe());
    }

    public void copyFrom(float[] src) {
        requireArray(DType.F32, src.length);
        try (FloatPointer p = new FloatPointer(src)) {
            syncUpload(p);
        }
    }

    public void copyFrom(int[] src) {
        requireArray(DType.S32, src.length);
        try (IntPointer p = new IntPointer(src)) {
            syncUpload(p);
        }
    }

    public void copyFrom(byte[] src) {
        requireArray(dtype == DType.U8 ? DType.U8 : DType.S8, src.length);
        try (BytePointer p = new BytePointer(src)) {
            syncUpload(p);
        }
    }

    /** Raw F16 / BF16 bits. */
    public void copyFrom(short[] src) {
        requireArray(dtype == DType.BF16 ? DType.BF16 : DType.F16, src.length);
        try (ShortPointer p = new ShortPointer(src)) {
            syncUpload(p);
        }
    }

    public float[] toFloatArray() {
        float[] out = new float[arrayLength(DType.F32)];
        try (FloatPointer p = new FloatPointer(out.length)) {
            syncDownload(p);
            p.get(out);
        }
        return out;
    }

    public int[] toIntArray() {
        int[] out = new int[arrayLength(DType.S32)];
        try (IntPointer p = new IntPointer(out.length)) {
            syncDownload(p);
            p.get(out);
        }
        return out;
    }

    public byte[] toByteArray() {
        byte[] out = new byte[arrayLength(dtype == DType.U8 ? DType.U8 : DType.S8)];
        try (BytePointer p = new BytePointer(out.length)) {
            syncDownload(p);
            p.get(out);
        }
        return out;
    }

    /** Raw F16 / BF16 bits. */
    public short[] toShortArray() {
        short[] out = new short[arrayLength(dtype == DType.BF16 ? DType.BF16 : DType.F16)];
        try (ShortPointer p = new ShortPointer(out.length)) {
            syncDownload(p);
            p.get(out);
        }
        return out;
    }

    private void syncUpload(Pointer host) {
        CudaException.check(NativeCuda.dqw_cuda_memcpy_h2d(address(), host.address(), byteSize(), 0L),
                "copy Java array -> " + describe());
        CudaStream.defaultStream().synchronize();
    }

    private void syncDownload(Pointer host) {
        CudaException.check(NativeCuda.dqw_cuda_memcpy_d2h(host.address(), address(), byteSize(), 0L),
                "copy " + describe() + " -> Java array");
        CudaStream.defaultStream().synchronize();
    }

    // ---- views and accessors ----------------------------------------------------------------------------

    /** The same device memory seen with another shape of the same element count. */
    public CudaBuffer reshape(long... newShape) {
        checkOpen();
        long[] s = checkShape(name, newShape);
        if (numel(s) != numel) {
            throw new IllegalArgumentException(describe() + ": cannot reshape to " + Arrays.toString(s));
        }
        return new CudaBuffer(dtype, s, name, address, this, null);
    }

    /**
     * The rows {@code from .. to-1} of the first dimension as a view (same memory, shape
     * {@code [to - from, ...]}): a slice of a cache or of a positional table. Closing the view frees nothing.
     */
    public CudaBuffer rows(long from, long to) {
        checkOpen();
        if (shape.length == 0) throw new IllegalArgumentException(describe() + ": a scalar has no rows");
        if (from < 0 || to < from || to > shape[0]) {
            throw new IllegalArgumentException(describe() + ": rows " + from + ".." + to + " outside 0.." + shape[0]);
        }
        long[] s = shape.clone();
        s[0] = to - from;
        long rowBytes = (shape[0] == 0 ? 0 : byteSize() / shape[0]);
        return new CudaBuffer(dtype, s, name, address + from * rowBytes, this, null);
    }

    /** Device address of element 0 (checked open). */
    public long address() {
        checkOpen();
        return address;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        int d = i < 0 ? shape.length + i : i;
        if (d < 0 || d >= shape.length) throw new IndexOutOfBoundsException(describe() + ": no dimension " + i);
        return shape[d];
    }

    public long numel() {
        return numel;
    }

    public long byteSize() {
        return numel * dtype.size();
    }

    public String name() {
        return name;
    }

    public boolean isClosed() {
        return closed || (owner != null && owner.isClosed());
    }

    public void checkOpen() {
        if (closed) throw new IllegalStateException(describe() + " is closed");
        if (owner != null && owner.isClosed()) throw new IllegalStateException(describe() + " is a view of a closed buffer");
    }

    /** Checks dtype and shape; {@code -1} in {@code expected} matches any size. */
    public CudaBuffer requireShape(DType expectedType, long... expected) {
        checkOpen();
        if (dtype != expectedType) {
            throw new IllegalArgumentException(describe() + ": expected dtype " + expectedType + ", got " + dtype);
        }
        boolean ok = expected.length == shape.length;
        for (int i = 0; ok && i < expected.length; i++) ok = expected[i] < 0 || expected[i] == shape[i];
        if (!ok) {
            throw new IllegalArgumentException(describe() + ": expected shape " + Arrays.toString(expected).replace("-1", "*"));
        }
        return this;
    }

    public String describe() {
        return "CUDA buffer " + label(name) + " " + dtype + Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return describe() + (isClosed() ? " (closed)" : "");
    }

    /** Frees the device memory (views only become unusable). Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (cleanable != null) cleanable.clean();
    }

    // ---- checks -----------------------------------------------------------------------------------------

    private void requireSameData(Tensor t, String what) {
        checkOpen();
        t.checkOpen();
        if (t.dtype() != dtype || t.numel() != numel) {
            throw new IllegalArgumentException(what + ": dtype/size mismatch");
        }
    }

    private void requireArray(DType expected, int length) {
        CudaRuntime.requireAvailable();
        checkOpen();
        if (dtype != expected) throw new IllegalArgumentException(describe() + ": a Java array of " + expected + " does not fit");
        if (length != numel) {
            throw new IllegalArgumentException(describe() + ": array has " + length + " elements, buffer has " + numel);
        }
    }

    private int arrayLength(DType expected) {
        CudaRuntime.requireAvailable();
        checkOpen();
        if (dtype != expected) throw new IllegalArgumentException(describe() + ": cannot read it as " + expected);
        if (numel > Integer.MAX_VALUE - 8) throw new IllegalStateException(describe() + ": too large for a Java array");
        return (int) numel;
    }

    private static String label(String name) {
        return name == null ? "<unnamed>" : "'" + name + "'";
    }

    private static long[] checkShape(String name, long[] shape) {
        if (shape == null) throw new IllegalArgumentException("CUDA buffer " + label(name) + ": shape is null");
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("CUDA buffer " + label(name) + ": negative dimension in " + Arrays.toString(shape));
        }
        numel(shape);
        return shape.clone();
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }
}
