package org.dqwhisper.whisper.io;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.dqwhisper.tensor.DType;

/**
 * Element types as stored in checkpoint files (safetensors dtype names; the PyTorch legacy storage
 * class names of {@code .pt} files). All are little-endian on disk. {@link #tensorDType()} is the
 * in-memory {@link DType} a raw copy keeps, or null where {@link org.dqwhisper.tensor.Tensor} has none.
 */
public enum StorageDType {
    F64(8, "DoubleStorage", null),
    F32(4, "FloatStorage", DType.F32),
    F16(2, "HalfStorage", DType.F16),
    BF16(2, "BFloat16Storage", DType.BF16),
    I64(8, "LongStorage", null),
    I32(4, "IntStorage", DType.S32),
    I16(2, "ShortStorage", null),
    I8(1, "CharStorage", DType.S8),
    U8(1, "ByteStorage", DType.U8),
    U16(2, null, null),
    U32(4, null, null),
    U64(8, null, null),
    BOOL(1, "BoolStorage", null);

    private final int size;
    private final String torchStorage;
    private final DType tensorDType;

    StorageDType(int size, String torchStorage, DType tensorDType) {
        this.size = size;
        this.torchStorage = torchStorage;
        this.tensorDType = tensorDType;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** The safetensors spelling of this dtype (the enum name). */
    public String safetensorsName() {
        return name();
    }

    /** The in-memory dtype that keeps these bytes unchanged, or null if there is none. */
    public DType tensorDType() {
        return tensorDType;
    }

    /**
     * Whether conversion to F32 is exact for every value. 32- and 64-bit integers and F64 are
     * rounded to the nearest float.
     */
    public boolean convertsExactlyToF32() {
        return switch (this) {
            case F32, F16, BF16, I16, I8, U8, U16, BOOL -> true;
            default -> false;
        };
    }

    /** The safetensors dtype of this name, or null if unknown. */
    public static StorageDType fromSafetensorsName(String name) {
        for (StorageDType d : values()) {
            if (d.name().equals(name)) return d;
        }
        return null;
    }

    /** The dtype of a torch legacy storage class such as {@code HalfStorage}, or null if unknown. */
    public static StorageDType fromTorchStorage(String className) {
        for (StorageDType d : values()) {
            if (className.equals(d.torchStorage)) return d;
        }
        return null;
    }

    /** The storage dtype for an in-memory dtype. */
    public static StorageDType of(DType dtype) {
        for (StorageDType d : values()) {
            if (d.tensorDType == dtype) return d;
        }
        throw new IllegalArgumentException("no storage dtype for " + dtype);
    }

    /** A readable list of the supported safetensors dtype names, for error messages. */
    public static String supportedSafetensorsNames() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
