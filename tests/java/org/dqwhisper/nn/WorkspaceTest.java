package org.dqwhisper.nn;

import static org.junit.jupiter.api.Assertions.*;

import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

class WorkspaceTest {
    @Test
    void sizeClassesWasteAtMostAnEighth() {
        assertEquals(64, Workspace.sizeClass(1));
        assertEquals(64, Workspace.sizeClass(64));
        for (long n = 65; n < 5_000_000; n = n * 3 / 2 + 7) {
            long c = Workspace.sizeClass(n);
            assertTrue(c >= n && c <= n + n / 8 + 1, n + " -> " + c);
        }
    }

    @Test
    void blocksAreReusedZeroedOnRequestAndTrimmedWhenUnused() {
        Workspace.releaseIdle();
        long address;
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor t = s.take("a", 100, 30);
            assertArrayEquals(new long[] {100, 30}, t.shape());
            t.fill(7f);
            address = t.address();
        }
        long idle = Workspace.idleBytes();
        assertTrue(idle >= 3000 * 4);
        try (Workspace.Scope s = Workspace.scope()) {
            Tensor again = s.take("b", 3000);
            assertEquals(address, again.address(), "the freed block is lent again");
            Tensor zero = s.takeZeroed("c", 3000);
            assertNotEquals(address, zero.address(), "a block is lent to one borrower at a time");
            for (float v : zero.toFloatArray()) assertEquals(0f, v);
        }
        Workspace.endStep(); // both blocks were used in this step: kept
        assertTrue(Workspace.idleBytes() > idle);
        Workspace.endStep(); // unused during the step that just ended: freed
        assertEquals(0, Workspace.idleBytes());
        assertEquals(0, Workspace.lentCount());
    }

    @Test
    void givenBackTensorsCannotBeUsed() {
        Tensor t;
        try (Workspace.Scope s = Workspace.scope()) {
            t = s.take("x", 10);
        }
        assertThrows(IllegalStateException.class, () -> t.fill(1f));
        Workspace.releaseIdle();
    }
}
