package org.dqwhisper.tensor;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void roundTripsEveryDtype() {
        try (Tensor f = Tensor.of(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, 2, 3)) {
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, f.toFloatArray());
            assertEquals(2, f.rank());
            assertEquals(3, f.dim(-1));
            assertEquals(24, f.byteSize());
        }
        try (Tensor b = Tensor.of(new byte[] {-128, 127, 0}, 3)) {
            assertArrayEquals(new byte[] {-128, 127, 0}, b.toByteArray());
        }
        try (Tensor i = Tensor.of(new int[] {Integer.MIN_VALUE, 5}, 2)) {
            assertArrayEquals(new int[] {Integer.MIN_VALUE, 5}, i.toIntArray());
        }
        try (Tensor h = Tensor.allocate(DType.F16, 2)) {
            h.copyFrom(new short[] {0x3c00, (short) 0xc000});
            assertArrayEquals(new short[] {0x3c00, (short) 0xc000}, h.toShortArray());
        }
    }

    @Test
    void allocationIsZeroedAndAligned() {
        try (Tensor t = Tensor.allocate(DType.F32, 3, 5)) {
            for (float v : t.toFloatArray()) assertEquals(0f, v);
            assertEquals(0, t.address() % 64, "64-byte alignment");
        }
    }

    @Test
    void uninitializedAllocationIsPoisonedUnderTestAndChecked() {
        // the test suite runs with -Ddqw.tensor.poison=true (pom.xml), so a buffer read before it is written shows
        assertTrue(Boolean.getBoolean("dqw.tensor.poison"), "the suite sets dqw.tensor.poison");
        long before = Tensor.liveBytes();
        try (Tensor f = Tensor.allocateUninitialized("scratch", DType.F32, 3, 5);
                Tensor b = Tensor.allocateUninitialized("codes", DType.S8, 7)) {
            assertEquals(0, f.address() % 64, "64-byte aligned");
            for (float v : f.toFloatArray()) assertTrue(Float.isNaN(v), "poisoned float " + v);
            for (byte v : b.toByteArray()) assertEquals(-1, v);
            assertEquals(before + 60 + 7, Tensor.liveBytes());
        }
        assertEquals(before, Tensor.liveBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.allocateUninitialized("bad", DType.F32, 3, -1));
        assertTrue(e.getMessage().contains("bad"), e.getMessage());
    }

    @Test
    void rowsViewSharesMemory() {
        try (Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 3, 2)) {
            Tensor r = t.rows(1, 3);
            assertArrayEquals(new float[] {2, 3, 4, 5}, r.toFloatArray());
            r.copyFrom(new float[] {9, 9, 9, 9});
            assertArrayEquals(new float[] {0, 1, 9, 9, 9, 9}, t.toFloatArray());
            assertThrows(IndexOutOfBoundsException.class, () -> t.rows(2, 4));
            t.close();
            assertThrows(IllegalStateException.class, r::toFloatArray, "view of a closed tensor");
        }
    }

    @Test
    void misuseThrowsNamedExceptions() {
        Tensor t = Tensor.allocate("w", DType.F32, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[3]));
        assertTrue(e.getMessage().contains("'w'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> t.reshape(3, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(DType.F32, 2, -1));
        assertThrows(IllegalArgumentException.class, () -> t.requireShape(DType.F32, 2, 3));
        t.requireShape(DType.F32, -1, 2);
        t.close();
        t.close(); // idempotent
        IllegalStateException closed = assertThrows(IllegalStateException.class, t::toFloatArray);
        assertTrue(closed.getMessage().contains("closed"));
        assertThrows(IllegalStateException.class, t::address);
    }

    @Test
    void closeReleasesMemory() {
        long before = Tensor.liveBytes();
        for (int i = 0; i < 1000; i++) {
            try (Tensor t = Tensor.allocate(DType.F32, 1024)) {
                t.fill(i);
            }
        }
        assertEquals(before, Tensor.liveBytes(), "every allocation freed");
    }
}
