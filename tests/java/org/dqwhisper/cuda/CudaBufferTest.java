package org.dqwhisper.cuda;

import static org.dqwhisper.cuda.CudaTestSupport.NO_GPU;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Device buffers, copies, streams, events and device queries on a real GPU. */
@Tag("gpu")
class CudaBufferTest {
    @BeforeEach
    void needsDevice() {
        assumeTrue(CudaRuntime.available(), NO_GPU + ": " + CudaRuntime.status().detail());
    }

    @Test
    void deviceQueries() {
        assertTrue(CudaDevice.count() >= 1);
        CudaDevice d = CudaDevice.current();
        assertTrue(d.computeMajor() >= 8, "the kernels are built for sm_80 and sm_90: " + d);
        assertTrue(d.totalMemory() > 0 && d.multiprocessors() > 0);
        d.makeCurrent();
        CudaDevice.MemoryInfo m = CudaDevice.memoryInfo();
        assertTrue(m.free() > 0 && m.free() <= m.total());
        assertThrows(IllegalArgumentException.class, () -> CudaDevice.get(CudaDevice.count()));
    }

    @Test
    void arraysRoundTrip() {
        float[] f = {1.5f, -2f, Float.MAX_VALUE, Float.MIN_VALUE, 0f, -0f, 7f};
        try (CudaBuffer b = CudaBuffer.of(f, 7)) {
            assertArrayEquals(f, b.toFloatArray());
        }
        int[] i = {Integer.MIN_VALUE, -1, 0, 3, Integer.MAX_VALUE};
        try (CudaBuffer b = CudaBuffer.of(i, 5)) {
            assertArrayEquals(i, b.toIntArray());
        }
        byte[] s8 = {-128, -1, 0, 1, 127};
        try (CudaBuffer b = CudaBuffer.of(s8, 5)) {
            assertArrayEquals(s8, b.toByteArray());
        }
        short[] h = {0x3c00, (short) 0xc000, 0x7bff};
        try (CudaBuffer b = CudaBuffer.of(DType.BF16, h, 3)) {
            assertArrayEquals(h, b.toShortArray());
        }
        try (CudaBuffer empty = CudaBuffer.allocate(DType.F32, 0)) {
            assertEquals(0, empty.toFloatArray().length);
        }
    }

    @Test
    void tensorCopiesSyncAndOnAStream() {
        float[] data = new float[100_003];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.25f - 3f;
        try (Tensor src = Tensor.of(data, data.length);
                Tensor dst = Tensor.allocate(DType.F32, data.length);
                CudaBuffer a = CudaBuffer.allocate("a", DType.F32, data.length);
                CudaBuffer b = CudaBuffer.allocate("b", DType.F32, data.length);
                CudaStream s = CudaStream.create();
                CudaEvent e0 = CudaEvent.create();
                CudaEvent e1 = CudaEvent.create()) {
            e0.record(s);
            a.copyFromAsync(src, s);
            b.copyFrom(a, s);
            a.zero(s);
            b.copyToAsync(dst, s);
            e1.record(s);
            s.synchronize();
            e1.synchronize();
            assertArrayEquals(data, dst.toFloatArray());
            assertTrue(CudaEvent.elapsedMillis(e0, e1) >= 0f);
            assertArrayEquals(new float[data.length], a.toFloatArray(), "zeroed");
            a.copyFrom(src);
            try (Tensor back = a.toTensor()) {
                assertEquals("a", back.name());
                assertArrayEquals(data, back.toFloatArray());
            }
        }
    }

    @Test
    void sizeAndTypeMistakesAreIllegalArguments() {
        try (CudaBuffer b = CudaBuffer.allocate("w", DType.F32, 2, 3); Tensor t = Tensor.allocate(DType.F32, 5);
                Tensor s8 = Tensor.allocate(DType.S8, 6)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.copyFrom(t));
            assertTrue(e.getMessage().contains("'w'"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> b.copyFrom(s8));
            assertThrows(IllegalArgumentException.class, () -> b.copyFrom(new float[5]));
            assertThrows(IllegalArgumentException.class, () -> b.copyFrom(new int[6]));
            assertThrows(IllegalArgumentException.class, b::toIntArray);
            assertThrows(IllegalArgumentException.class, () -> b.reshape(7));
            assertThrows(IllegalArgumentException.class, () -> CudaBuffer.allocate(DType.F32, -1));
            CudaBuffer view = b.reshape(6);
            assertEquals(b.address(), view.address());
        }
    }

    @Test
    void closedBuffersAndViewsAreIllegalState() {
        CudaBuffer b = CudaBuffer.of(new float[] {1, 2, 3, 4}, 2, 2);
        CudaBuffer view = b.reshape(4);
        b.close();
        b.close(); // idempotent
        assertThrows(IllegalStateException.class, b::toFloatArray);
        assertThrows(IllegalStateException.class, view::address);
        assertTrue(view.isClosed());
    }

    @Test
    void cudaErrorsCarryTheirName() {
        CudaException e = assertThrows(CudaException.class, () -> CudaBuffer.allocate("huge", DType.F32, 1L << 50));
        assertEquals("cudaErrorMemoryAllocation", e.errorName(), e.getMessage());
        assertTrue(e.getMessage().contains("'huge'"), e.getMessage());
        assertEquals(0, org.dqwhisper.nativelib.NativeCuda.dqw_cuda_get_last_error(), "the error does not linger");
    }
}
