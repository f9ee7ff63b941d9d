package org.dqwhisper.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The warm-up really makes the collector run (so eden has been mapped), and does it once per process. */
class HeapWarmupTest {
    @Test
    void allocatesUntilTheCollectorHasRun() {
        long seen = HeapWarmup.allocateUntilCollections(1, 20_000);
        assertTrue(seen >= 1, "no collection within 20 s of allocating: " + seen);
    }

    @Test
    void runsOncePerProcess() {
        HeapWarmup.cycleYoungGeneration(1, 20_000); // the first call in this JVM does the work (or an earlier test did)
        assertEquals(0, HeapWarmup.cycleYoungGeneration(1, 20_000));
    }
}
