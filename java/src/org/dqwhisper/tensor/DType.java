package org.dqwhisper.tensor;

/** Element types of a {@link Tensor}; names follow safetensors. */
public enum DType {
    F32(4), F16(2), BF16(2), S8(1), U8(1), S32(4);

    private final int size;

    DType(int size) {
        this.size = size;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }
}
