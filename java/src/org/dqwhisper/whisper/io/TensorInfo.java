package org.dqwhisper.whisper.io;

import java.util.Arrays;
import java.util.Objects;

/** Name, stored dtype and shape of one tensor in a checkpoint file. */
public final class TensorInfo {
    private final String name;
    private final StorageDType dtype;
    private final long[] shape;
    private final long numel;

    public TensorInfo(String name, StorageDType dtype, long[] shape) {
        this.name = Objects.requireNonNull(name, "name");
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape.clone();
        long n = 1;
        for (long d : this.shape) {
            if (d < 0) throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        this.numel = n;
        Math.multiplyExact(n, (long) dtype.size()); // byte count must fit a long
    }

    public String name() {
        return name;
    }

    public StorageDType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long numel() {
        return numel;
    }

    public long byteSize() {
        return numel * dtype.size();
    }

    /** Whether the shape equals {@code expected} exactly. */
    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && t.dtype == dtype && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "'" + name + "' " + dtype + Arrays.toString(shape);
    }
}
