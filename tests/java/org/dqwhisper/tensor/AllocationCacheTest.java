package org.dqwhisper.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dqwhisper.kernels.CpuRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Freed blocks of 4 MiB and more are reused for the same size class (so their pages stay mapped), handed out zeroed
 * by {@link Tensor#allocate}, never to two live tensors at once, and never beyond the cache limit.
 */
class AllocationCacheTest {
    static final long MIB = 1 << 20;
    static final long FLOOR = 4 * MIB; // kCacheMinBytes of native/src/memory.cpp
    static final long BLOCK = 2 * FLOOR; // a cacheable size; its class step is BLOCK / 8
    long savedLimit;

    @BeforeEach
    void emptyCache() {
        savedLimit = CpuRuntime.allocationCache().limitBytes();
        CpuRuntime.setAllocationCacheLimit(512 * MIB);
        CpuRuntime.releaseAllocationCache();
    }

    @AfterEach
    void restore() {
        CpuRuntime.releaseAllocationCache();
        CpuRuntime.setAllocationCacheLimit(savedLimit);
    }

    @Test
    void aFreedLargeBlockIsReusedForItsSizeClassAndZeroedWhenAskedTo() {
        long address;
        try (Tensor a = Tensor.allocate(DType.S8, BLOCK)) {
            address = a.address();
            byte[] pattern = new byte[(int) BLOCK];
            java.util.Arrays.fill(pattern, (byte) 0x5A);
            a.copyFrom(pattern);
        }
        CpuRuntime.AllocationCache c = CpuRuntime.allocationCache();
        assertEquals(BLOCK, c.cachedBytes(), "the freed block is held");
        long hits = c.hits();
        try (Tensor b = Tensor.allocate(DType.F32, BLOCK / 4)) {
            assertEquals(address, b.address(), "the same block comes back");
            assertEquals(hits + 1, CpuRuntime.allocationCache().hits());
            for (float v : b.toFloatArray()) {
                if (v != 0f) throw new AssertionError("a reused block handed out by allocate() is not zeroed: " + v);
            }
            assertEquals(0, CpuRuntime.allocationCache().cachedBytes());
        }
    }

    @Test
    void sizeClassesKeepSizesApart() {
        long address;
        try (Tensor a = Tensor.allocate(DType.S8, BLOCK)) {
            address = a.address();
        }
        long next = BLOCK + BLOCK / 8;
        // BLOCK + 64 bytes rounds up to the next class (BLOCK + BLOCK/8): the BLOCK-sized block does not fit it
        try (Tensor b = Tensor.allocate(DType.S8, BLOCK + 64)) {
            assertNotEquals(address, b.address());
        }
        assertEquals(BLOCK + next, CpuRuntime.allocationCache().cachedBytes(), "both classes are held");
        // anything in (BLOCK, BLOCK + BLOCK/8] shares that class
        try (Tensor c = Tensor.allocate(DType.S8, next)) {
            assertEquals(BLOCK, CpuRuntime.allocationCache().cachedBytes(), "the next-class block was taken");
        }
    }

    @Test
    void smallBlocksAndTheLimitAreRespected() {
        Tensor.allocate(DType.S8, FLOOR - 64).close();
        assertEquals(0, CpuRuntime.allocationCache().cachedBytes(), "blocks under the floor go back to the C library");

        CpuRuntime.setAllocationCacheLimit(BLOCK + BLOCK / 2);
        Tensor a = Tensor.allocate(DType.S8, BLOCK), b = Tensor.allocate(DType.S8, BLOCK);
        a.close();
        b.close();
        assertEquals(BLOCK, CpuRuntime.allocationCache().cachedBytes(), "the second block would pass the limit");

        CpuRuntime.setAllocationCacheLimit(BLOCK / 2);
        assertEquals(0, CpuRuntime.allocationCache().cachedBytes(), "lowering the limit releases what exceeds it");
        CpuRuntime.setAllocationCacheLimit(0);
        Tensor.allocate(DType.S8, BLOCK).close();
        assertEquals(0, CpuRuntime.allocationCache().cachedBytes(), "limit 0: no reuse");
        assertThrows(IllegalArgumentException.class, () -> CpuRuntime.setAllocationCacheLimit(-1));
    }

    @Test
    void concurrentTensorsNeverShareABlock() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final byte tag = (byte) (t + 1);
                runs.add(pool.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < 60; i++) {
                        long bytes = (1 + (i + tag) % 3) * FLOOR; // three classes, shared by every thread
                        try (Tensor x = Tensor.allocateUninitialized("t" + tag, DType.S8, bytes)) {
                            byte[] mine = new byte[(int) bytes];
                            java.util.Arrays.fill(mine, tag);
                            x.copyFrom(mine);
                            Thread.yield();
                            byte[] back = x.toByteArray();
                            for (int j = 0; j < back.length; j += 4093) {
                                if (back[j] != tag) throw new AssertionError("block written by another tensor at byte " + j);
                            }
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : runs) assertEquals(60, f.get());
        } finally {
            pool.shutdownNow();
        }
        assertTrue(CpuRuntime.allocationCache().hits() > 0, "the threads reused blocks");
    }
}
