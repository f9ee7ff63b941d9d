package org.dqwhisper.kernels;

/**
 * INT8 weights {@code [N,K]} prepacked once into a backend's kernel layout, with their per-output-
 * channel scales. Owned native memory: close it when done.
 */
public interface PackedInt8Weights extends AutoCloseable {
    /** Output channels. */
    int n();

    /** Input features (the reduction dimension). */
    int k();

    /** Name of the backend that packed it (a pack only works with its own backend). */
    String backend();

    /** Per-output-channel dequantization scales, length N (a copy). */
    float[] scales();

    @Override
    void close();
}
