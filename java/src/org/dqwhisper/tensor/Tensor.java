package org.dqwhisper.tensor;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.dqwhisper.nativelib.NativeCpu;

/**
 * A dense, contiguous, row-major tensor in off-heap memory (64-byte aligned, zero-filled when
 * allocated). Owns its memory unless it is a {@linkplain #view view}; {@link #close()} frees it and a
 * {@link Cleaner} frees a forgotten one when it becomes unreachable. Every accessor checks the
 * tensor is open, so a closed tensor gives an {@link IllegalStateException}, never a crash.
 */
public final class Tensor implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong LIVE_BYTES = new AtomicLong();

    private final DType dtype;
    private final long[] shape;
    private final long numel;
    private final String name;
    private final Tensor owner; // non-null for views: keeps the owner reachable
    private final State state;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    /** Owns the native block; run by close() or by the Cleaner, exactly once. */
    private static final class State implements Runnable {
        private Pointer block;
        private final long bytes;

        State(Pointer block, long bytes) {
            this.block = block;
            this.bytes = bytes;
        }

        @Override
        public synchronized void run() {
            if (block != null) {
                NativeCpu.dqw_free(block);
                LIVE_BYTES.addAndGet(-bytes);
                block = null;
            }
        }
    }

    private final long address;

    private Tensor(DType dtype, long[] shape, String name, Tensor owner, long address, State state) {
        this.dtype = dtype;
        this.shape = shape;
        this.numel = numel(shape);
        this.name = name;
        this.owner = owner;
        this.address = address;
        this.state = state;
        this.cleanable = state == null ? null : CLEANER.register(this, state);
    }

    /** Allocates a zero-filled tensor. */
    public static Tensor allocate(DType dtype, long... shape) {
        return allocate(null, dtype, shape);
    }

    /** Allocates a zero-filled tensor with a name used in error messages. */
    public static Tensor allocate(String name, DType dtype, long... shape) {
        return allocate(name, dtype, shape, true);
    }

    /**
     * Whether {@link #allocateUninitialized} fills its tensors with a poison pattern (NaN for floats, 0xFF bytes
     * otherwise), so that reading an element before writing it shows up in results. System property
     * {@code dqw.tensor.poison}; the test suite sets it.
     */
    private static final boolean POISON = Boolean.getBoolean("dqw.tensor.poison");

    /**
     * Allocates a tensor without zero-filling it: its contents are unspecified until written. Only for buffers
     * whose every element read is written first — outputs that a kernel overwrites whole, or a KV cache read only
     * up to its filled length — where the zero fill (and, for large buffers, touching every fresh page) would be
     * pure cost. With {@code -Ddqw.tensor.poison=true} (the tests) the contents are a poison pattern instead.
     */
    public static Tensor allocateUninitialized(String name, DType dtype, long... shape) {
        Tensor t = allocate(name, dtype, shape, false);
        if (POISON) {
            t.bytePointer().fill(0xFF); // memset over the whole tensor: NaN floats, -1 integers
        }
        return t;
    }

    private static Tensor allocate(String name, DType dtype, long[] shape, boolean zero) {
        if (dtype == null) throw new IllegalArgumentException("tensor " + label(name) + ": dtype is null");
        long[] s = checkShape(name, shape);
        long n = numel(s);
        long bytes = Math.multiplyExact(n, (long) dtype.size());
        Pointer p = zero ? NativeCpu.dqw_alloc(bytes) : NativeCpu.dqw_alloc_uninit(bytes);
        if (p == null || p.isNull()) {
            throw new OutOfMemoryError("tensor " + label(name) + ": cannot allocate " + bytes + " bytes off-heap");
        }
        LIVE_BYTES.addAndGet(bytes);
        return new Tensor(dtype, s, name, null, p.address(), new State(p, bytes));
    }

    public static Tensor of(float[] data, long... shape) {
        Tensor t = allocate(DType.F32, shape);
        t.copyFrom(data);
        return t;
    }

    public static Tensor of(byte[] data, long... shape) {
        Tensor t = allocate(DType.S8, shape);
        t.copyFrom(data);
        return t;
    }

    public static Tensor of(int[] data, long... shape) {
        Tensor t = allocate(DType.S32, shape);
        t.copyFrom(data);
        return t;
    }

    /** Off-heap bytes held by all open (not yet freed) tensors: for leak checks. */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    /**
     * A view of rows [{@code from}, {@code to}) along dimension 0, sharing memory. The view does not
     * own memory; it stays valid while this tensor is open.
     */
    public Tensor rows(long from, long to) {
        checkOpen();
        if (shape.length == 0) throw new IllegalArgumentException(describe() + ": cannot take rows of a scalar");
        if (from < 0 || to > shape[0] || from > to) {
            throw new IndexOutOfBoundsException(describe() + ": rows [" + from + ", " + to + ") out of [0, " + shape[0] + ")");
        }
        long[] s = shape.clone();
        s[0] = to - from;
        long rowBytes = numel / Math.max(1, shape[0]) * dtype.size();
        if (shape[0] == 0) rowBytes = 0;
        return new Tensor(dtype, s, name, this, address + from * rowBytes, null);
    }

    /** The same memory seen with another shape of the same element count. */
    public Tensor reshape(long... newShape) {
        checkOpen();
        long[] s = checkShape(name, newShape);
        if (numel(s) != numel) {
            throw new IllegalArgumentException(describe() + ": cannot reshape to " + Arrays.toString(s)
                    + " (" + numel(s) + " elements, have " + numel + ")");
        }
        return new Tensor(dtype, s, name, this, address, null);
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
        if (d < 0 || d >= shape.length) {
            throw new IndexOutOfBoundsException(describe() + ": no dimension " + i);
        }
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

    /** Native address of element 0 (checked open). */
    public long address() {
        checkOpen();
        return address;
    }

    /** An untyped pointer to element 0 (positions count bytes). */
    public Pointer pointer() {
        return rawPointer().capacity(byteSize()).limit(byteSize());
    }

    public BytePointer bytePointer() {
        checkOpen();
        BytePointer p = new BytePointer(rawPointer());
        return p.capacity(byteSize()).limit(byteSize());
    }

    public FloatPointer floatPointer() {
        requireDType(DType.F32);
        return new FloatPointer(rawPointer()).capacity(numel).limit(numel);
    }

    public IntPointer intPointer() {
        requireDType(DType.S32);
        return new IntPointer(rawPointer()).capacity(numel).limit(numel);
    }

    public ShortPointer shortPointer() {
        if (dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException(describe() + ": expected F16 or BF16");
        }
        return new ShortPointer(rawPointer()).capacity(numel).limit(numel);
    }

    private Pointer rawPointer() {
        checkOpen();
        final long a = address;
        return new Pointer() {
            {
                address = a;
            }
        };
    }

    // ---- bulk copies ------------------------------------------------------------------------------

    public void copyFrom(float[] src) {
        requireDType(DType.F32);
        requireLength(src.length);
        floatPointer().put(src, 0, src.length);
    }

    public void copyFrom(byte[] src) {
        requireByteType();
        requireLength(src.length);
        bytePointer().put(src, 0, src.length);
    }

    public void copyFrom(int[] src) {
        requireDType(DType.S32);
        requireLength(src.length);
        intPointer().put(src, 0, src.length);
    }

    public void copyFrom(short[] src) {
        if (dtype != DType.F16 && dtype != DType.BF16) throw new IllegalArgumentException(describe() + ": expected F16 or BF16");
        requireLength(src.length);
        shortPointer().put(src, 0, src.length);
    }

    public float[] toFloatArray() {
        requireDType(DType.F32);
        float[] out = new float[checkedArrayLength()];
        floatPointer().get(out);
        return out;
    }

    public byte[] toByteArray() {
        requireByteType();
        byte[] out = new byte[checkedArrayLength()];
        bytePointer().get(out);
        return out;
    }

    public int[] toIntArray() {
        requireDType(DType.S32);
        int[] out = new int[checkedArrayLength()];
        intPointer().get(out);
        return out;
    }

    public short[] toShortArray() {
        if (dtype != DType.F16 && dtype != DType.BF16) throw new IllegalArgumentException(describe() + ": expected F16 or BF16");
        short[] out = new short[checkedArrayLength()];
        shortPointer().get(out);
        return out;
    }

    /** Copies all bytes of {@code src} (same dtype and element count) into this tensor. */
    public void copyFrom(Tensor src) {
        checkOpen();
        src.checkOpen();
        if (src.dtype != dtype || src.numel != numel) {
            throw new IllegalArgumentException("copy " + src.describe() + " -> " + describe() + ": dtype/size mismatch");
        }
        NativeCpu.dqw_copy(rawPointer(), src.rawPointer(), byteSize());
    }

    public void fill(float v) {
        requireDType(DType.F32);
        NativeCpu.dqw_fill_f32(floatPointer(), v, numel);
    }

    // ---- checks -------------------------------------------------------------------------------------

    public void checkOpen() {
        if (closed) throw new IllegalStateException(describe() + " is closed");
        if (owner != null && owner.isClosed()) throw new IllegalStateException(describe() + " is a view of a closed tensor");
    }

    public Tensor requireDType(DType expected) {
        checkOpen();
        if (dtype != expected) {
            throw new IllegalArgumentException(describe() + ": expected dtype " + expected + ", got " + dtype);
        }
        return this;
    }

    /** Checks dtype and exact shape; {@code -1} in {@code expected} matches any size. */
    public Tensor requireShape(DType expectedType, long... expected) {
        requireDType(expectedType);
        boolean ok = expected.length == shape.length;
        for (int i = 0; ok && i < expected.length; i++) ok = expected[i] < 0 || expected[i] == shape[i];
        if (!ok) {
            throw new IllegalArgumentException(describe() + ": expected shape " + Arrays.toString(expected).replace("-1", "*"));
        }
        return this;
    }

    private void requireByteType() {
        checkOpen();
        if (dtype != DType.S8 && dtype != DType.U8) throw new IllegalArgumentException(describe() + ": expected S8 or U8");
    }

    private void requireLength(int len) {
        if (len != numel) {
            throw new IllegalArgumentException(describe() + ": array has " + len + " elements, tensor has " + numel);
        }
    }

    private int checkedArrayLength() {
        if (numel > Integer.MAX_VALUE - 8) throw new IllegalStateException(describe() + ": too large for a Java array");
        return (int) numel;
    }

    public String describe() {
        return "tensor " + label(name) + " " + dtype + Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return describe() + (isClosed() ? " (closed)" : "");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (cleanable != null) cleanable.clean();
    }

    private static String label(String name) {
        return name == null ? "<unnamed>" : "'" + name + "'";
    }

    private static long[] checkShape(String name, long[] shape) {
        if (shape == null) throw new IllegalArgumentException("tensor " + label(name) + ": shape is null");
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("tensor " + label(name) + ": negative dimension in " + Arrays.toString(shape));
        }
        numel(shape); // overflow check
        return shape.clone();
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }
}
