package org.dqwhisper.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrainingRngTest {
    @Test
    void matchesPublishedSplitMix64Outputs() {
        // reference outputs of SplitMix64 from state 0 (Vigna's splitmix64.c)
        TrainingRng r = new TrainingRng(0);
        assertEquals(0xE220A8397B1DCDAFL, r.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, r.nextLong());
        assertEquals(0x06C45D188009454FL, r.nextLong());
    }

    @Test
    void stateRestoresTheSequence() {
        TrainingRng a = new TrainingRng(42);
        for (int i = 0; i < 17; i++) a.nextGaussian();
        TrainingRng b = new TrainingRng(a.state());
        for (int i = 0; i < 100; i++) assertEquals(a.nextLong(), b.nextLong());
    }

    @Test
    void boundedAndPermutations() {
        TrainingRng r = new TrainingRng(7);
        int[] counts = new int[3];
        for (int i = 0; i < 30000; i++) counts[r.nextInt(3)]++;
        // each bucket expects 10000 with standard deviation ~82: 5 sigma
        for (int c : counts) assertTrue(Math.abs(c - 10000) < 410, Arrays.toString(counts));
        int[] p = r.permutation(50);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        assertFalse(Arrays.equals(p, sorted), "a shuffle of 50 is not the identity");
        assertThrows(IllegalArgumentException.class, () -> r.nextInt(0));
        double sum = 0, sq = 0;
        for (int i = 0; i < 20000; i++) {
            double g = r.nextGaussian();
            sum += g;
            sq += g * g;
        }
        // mean within 5 standard errors (0.035), variance within 0.05 of 1
        assertEquals(0, sum / 20000, 0.035);
        assertEquals(1, sq / 20000, 0.05);
    }
}
