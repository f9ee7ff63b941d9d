package org.dqwhisper.kernels;

/** FP32 weights {@code [N,K]} prepacked once into a backend's kernel layout. Close when done. */
public interface PackedFp32Weights extends AutoCloseable {
    int n();

    int k();

    String backend();

    @Override
    void close();
}
