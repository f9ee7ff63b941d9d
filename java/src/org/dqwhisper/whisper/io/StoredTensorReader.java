package org.dqwhisper.whisper.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;

/**
 * Copies tensor bytes from a file region into a new off-heap {@link Tensor}, mapping the file in
 * windows of at most {@link #WINDOW_ELEMENTS} elements (so files and tensors above 2 GiB work and
 * peak extra memory is one window's mapping plus nothing on the heap). Callers validate that the
 * region lies inside the file before calling.
 */
final class StoredTensorReader {
    /** Elements per mapped window: at most 64 MiB of source (F64) and 32 MiB of F32 destination. */
    static final int WINDOW_ELEMENTS = 8 << 20;
    /** Elements per gather chunk for non-contiguous tensors. */
    private static final int GATHER_ELEMENTS = 1 << 16;

    private StoredTensorReader() {}

    /** Reads a contiguous row-major tensor starting at absolute file offset {@code start}. */
    static Tensor read(FileChannel channel, long start, TensorInfo info, String tensorName, boolean toF32) throws IOException {
        Tensor out = allocate(info, tensorName, toF32);
        try {
            int size = info.dtype().size();
            for (long e0 = 0; e0 < info.numel(); e0 += WINDOW_ELEMENTS) {
                int n = (int) Math.min(WINDOW_ELEMENTS, info.numel() - e0);
                MappedByteBuffer window = channel.map(FileChannel.MapMode.READ_ONLY, start + e0 * size, (long) n * size);
                store(window.order(ByteOrder.LITTLE_ENDIAN), out, e0, n, info.dtype(), toF32);
            }
            return out;
        } catch (IOException | RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /**
     * Reads a strided view of a storage: element {@code (i0, i1, ...)} is storage element
     * {@code offset + sum(i_k * stride_k)}. The storage starts at absolute file offset
     * {@code storageStart}; the caller has checked that every reachable element lies inside it.
     */
    static Tensor readStrided(Path file, FileChannel channel, long storageStart, long offset, long[] strides,
                              TensorInfo info, String tensorName, boolean toF32) throws IOException {
        int size = info.dtype().size();
        long[] shape = info.shape();
        long span = 1; // elements between the first and the last reachable one, inclusive
        for (int k = 0; k < shape.length; k++) if (shape[k] > 0) span += (shape[k] - 1) * strides[k];
        if (span * size > Integer.MAX_VALUE) {
            throw new CheckpointFormatException(file, info.name(), "non-contiguous tensor spans " + span * size
                    + " bytes of its storage; only spans below 2 GiB are supported");
        }
        Tensor out = allocate(info, tensorName, toF32);
        if (info.numel() == 0) return out;
        try {
            ByteBuffer src = channel.map(FileChannel.MapMode.READ_ONLY, storageStart + offset * size, span * size)
                    .order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer chunk = ByteBuffer.allocate(GATHER_ELEMENTS * size).order(ByteOrder.LITTLE_ENDIAN);
            long[] index = new long[shape.length];
            for (long e0 = 0; e0 < info.numel(); e0 += GATHER_ELEMENTS) {
                int n = (int) Math.min(GATHER_ELEMENTS, info.numel() - e0);
                chunk.clear();
                for (int i = 0; i < n; i++) {
                    long at = 0;
                    for (int k = 0; k < shape.length; k++) at += index[k] * strides[k];
                    chunk.put(src.slice((int) (at * size), size));
                    for (int k = shape.length - 1; k >= 0 && ++index[k] == shape[k]; k--) index[k] = 0;
                }
                chunk.flip();
                store(chunk, out, e0, n, info.dtype(), toF32);
            }
            return out;
        } catch (IOException | RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    private static Tensor allocate(TensorInfo info, String tensorName, boolean toF32) {
        DType target = toF32 ? DType.F32 : info.dtype().tensorDType();
        if (!toF32 && ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("raw reads need a little-endian host");
        }
        if (target == null) {
            throw new IllegalArgumentException("tensor '" + info.name() + "' is stored as " + info.dtype()
                    + ", which has no in-memory dtype; read it with readF32");
        }
        return Tensor.allocate(tensorName, target, info.shape());
    }

    /** Writes {@code n} stored elements from {@code src} into {@code out} at element {@code e0}. */
    private static void store(ByteBuffer src, Tensor out, long e0, int n, StorageDType dtype, boolean toF32) {
        int outSize = out.dtype().size();
        ByteBuffer dst = byteView(out, e0 * outSize, (long) n * outSize);
        if (toF32) {
            F32Converter.convert(dtype, src.slice(0, n * dtype.size()), dst.asFloatBuffer());
        } else {
            dst.put(src.slice(0, n * dtype.size())); // same little-endian bytes (x86 native order)
        }
    }

    /** A native-order view of bytes [{@code from}, {@code from + length}) of {@code t}'s memory. */
    static ByteBuffer byteView(Tensor t, long from, long length) {
        BytePointer whole = t.bytePointer();
        if (from < 0 || length < 0 || from + length > whole.capacity()) {
            throw new IndexOutOfBoundsException(t.describe() + ": bytes [" + from + ", +" + length + ") out of range");
        }
        BytePointer p = whole.getPointer(from); // address + from, position 0
        p.capacity(length).limit(length);
        ByteBuffer b = p.asByteBuffer();
        if (b.capacity() != length) throw new IllegalStateException("destination view has " + b.capacity() + " bytes, expected " + length);
        return b.order(ByteOrder.nativeOrder());
    }
}
