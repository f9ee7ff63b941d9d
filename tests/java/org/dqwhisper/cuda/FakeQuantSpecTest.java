package org.dqwhisper.cuda;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The fake-quant spec checks its arguments and counts scales without touching a device. */
class FakeQuantSpecTest {
    @Test
    void levelsAndScaleCounts() {
        FakeQuantSpec s4 = FakeQuantSpec.perGroup(64, 4, true);
        assertEquals(7, s4.qmax());
        assertEquals(-7, s4.qmin());
        assertEquals(3L * 2, s4.scaleCount(3, 100)); // ceil(100/64) = 2 groups per row
        assertEquals(3L * 1, s4.scaleCount(3, 64));
        FakeQuantSpec a2 = FakeQuantSpec.perChannel(2, false);
        assertEquals(3, a2.qmax());
        assertEquals(0, a2.qmin());
        assertEquals(5, a2.scaleCount(5, 7));
        assertEquals(1, FakeQuantSpec.perTensor(8, true).scaleCount(5, 7));
        assertEquals(127, FakeQuantSpec.perTensor(8, true).qmax());
    }

    @Test
    void rejectsBadSpecs() {
        assertThrows(IllegalArgumentException.class, () -> FakeQuantSpec.perTensor(1, true));
        assertThrows(IllegalArgumentException.class, () -> FakeQuantSpec.perTensor(9, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FakeQuantSpec.perGroup(48, 4, true));
        assertTrue(e.getMessage().contains("48"));
        assertThrows(IllegalArgumentException.class, () -> new FakeQuantSpec(null, 0, 4, true));
    }
}
