package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class CpuRuntimeTest {
    @Test
    void forcingClampsToTheCpu() {
        Isa detected = CpuRuntime.detectedIsa();
        try {
            CpuRuntime.forceIsa(Isa.SCALAR);
            assertEquals(Isa.SCALAR, CpuRuntime.activeIsa());
            for (Isa isa : Isa.values()) {
                if (isa.level() <= detected.level()) {
                    CpuRuntime.forceIsa(isa);
                    assertEquals(isa, CpuRuntime.activeIsa());
                } else {
                    assertThrows(IllegalArgumentException.class, () -> CpuRuntime.forceIsa(isa));
                }
            }
        } finally {
            CpuRuntime.forceIsa(null);
        }
        assertEquals(detected, CpuRuntime.activeIsa());
        assertEquals(Isa.AVX512, Isa.parse("AVX512"));
        assertThrows(IllegalArgumentException.class, () -> Isa.parse("sse9"));
    }

    @Test
    void threadCountIsValidated() {
        int before = CpuRuntime.threads();
        try {
            CpuRuntime.setThreads(3);
            assertEquals(3, CpuRuntime.threads());
            assertThrows(IllegalArgumentException.class, () -> CpuRuntime.setThreads(0));
        } finally {
            CpuRuntime.setThreads(before);
        }
    }
}
