package org.dqwhisper.whisper.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.dqwhisper.tensor.Tensor;

/**
 * A read-only collection of named tensors backed by one or more files (safetensors, sharded
 * safetensors, PyTorch zip checkpoints). Names are those stored in the file. Reads map the file
 * and convert in bounded windows; every returned {@link Tensor} is a fresh off-heap allocation
 * owned (and closed) by the caller. Implementations are safe for concurrent reads.
 */
public interface TensorArchive extends Closeable {
    /** The file (or index file) this archive was opened from; used in messages. */
    Path file();

    /** Tensor names in file order. */
    Set<String> names();

    default boolean has(String name) {
        return names().contains(name);
    }

    /** Dtype and shape of {@code name}; IllegalArgumentException naming the file if absent. */
    TensorInfo info(String name);

    /** The file that holds {@code name} (differs from {@link #file()} for sharded checkpoints). */
    Path fileOf(String name);

    /** String metadata stored with the tensors (safetensors {@code __metadata__}); may be empty. */
    Map<String, String> metadata();

    /** Reads {@code name} converted to a new F32 tensor of the stored shape. */
    default Tensor readF32(String name) throws IOException {
        return readF32(name, name);
    }

    /** Like {@link #readF32(String)}, naming the new tensor {@code tensorName}. */
    Tensor readF32(String name, String tensorName) throws IOException;

    /**
     * Reads {@code name} unconverted into a tensor of the matching in-memory dtype
     * ({@link StorageDType#tensorDType()}); IllegalArgumentException for dtypes without one.
     */
    default Tensor readRaw(String name) throws IOException {
        return readRaw(name, name);
    }

    /** Like {@link #readRaw(String)}, naming the new tensor {@code tensorName}. */
    Tensor readRaw(String name, String tensorName) throws IOException;

    @Override
    void close() throws IOException;
}
