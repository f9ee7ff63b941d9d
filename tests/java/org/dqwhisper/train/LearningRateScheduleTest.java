package org.dqwhisper.train;

import static org.junit.jupiter.api.Assertions.*;

import org.dqwhisper.train.LearningRateSchedule.Decay;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    @Test
    void warmupThenCosine() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 10, 110, Decay.COSINE, 0);
        assertEquals(1e-4, s.at(0), 1e-15, "first update: 1/10 of the peak");
        assertEquals(1e-3, s.at(9), 1e-15, "end of warm-up");
        assertEquals(1e-3, s.at(10), 1e-15, "decay starts at the peak");
        assertEquals(0.5e-3, s.at(60), 1e-15, "cosine half-way");
        assertEquals(0, s.at(110), 1e-15);
        assertEquals(0, s.at(500), 1e-15, "after the end");
    }

    @Test
    void linearConstantAndFloor() {
        LearningRateSchedule lin = new LearningRateSchedule(2.0, 0, 100, Decay.LINEAR, 0.1);
        assertEquals(2.0, lin.at(0), 1e-12);
        assertEquals(2.0 * (0.1 + 0.9 * 0.5), lin.at(50), 1e-12);
        assertEquals(0.2, lin.at(100), 1e-12, "floor = minRatio * peak");
        LearningRateSchedule c = new LearningRateSchedule(3.0, 4, 10, Decay.CONSTANT, 0);
        assertEquals(1.5, c.at(1), 1e-12);
        assertEquals(3.0, c.at(9), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(-1, 0, 10, Decay.LINEAR, 0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1, 0, 0, Decay.LINEAR, 0));
        assertThrows(IllegalArgumentException.class, () -> Decay.parse("exp"));
        assertEquals(Decay.COSINE, Decay.parse(" Cosine "));
    }
}
