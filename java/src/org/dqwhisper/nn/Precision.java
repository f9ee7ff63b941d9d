package org.dqwhisper.nn;

/** Arithmetic used by the Linear layers of a model. */
public enum Precision {
    /** FP32 weights on the packed FP32 GEMM. */
    FP32,
    /** Dynamic post-training INT8: weights per output channel, activations per row, on the INT8 GEMM. */
    INT8;

    public static Precision parse(String s) {
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "fp32": case "f32": case "float32": return FP32;
            case "int8": case "i8": case "w8a8": return INT8;
            default: throw new IllegalArgumentException("unknown precision '" + s + "' (expected fp32 or int8)");
        }
    }
}
