package org.dqwhisper.kernels;

import static org.junit.jupiter.api.Assertions.*;

import org.dqwhisper.nativelib.NativeCpu;
import org.junit.jupiter.api.Test;

/** The peak probe counts what it runs on every path; its timing is a benchmark's business, not checked here. */
class CpuPeakTest {
    /** Operations per round: accumulators x products per instruction x 2, by path (see cpu_peak_*.cpp). */
    private static double opsPerRound(Isa isa, CpuPeak.Kind kind) {
        return switch (isa) {
            case AVX512 -> 2.0 * 16 * (kind == CpuPeak.Kind.INT8 ? 64 : 16);
            case AVX2 -> 2.0 * 12 * (kind == CpuPeak.Kind.INT8 ? 16 : 8);
            case SCALAR -> 2.0 * 8 * (kind == CpuPeak.Kind.INT8 ? 8 : 4);
        };
    }

    @Test
    void everyPathCountsItsOperations() {
        try {
            for (Isa isa : Isa.values()) {
                if (isa.level() > CpuRuntime.detectedIsa().level()) continue;
                CpuRuntime.forceIsa(isa);
                for (CpuPeak.Kind kind : CpuPeak.Kind.values()) {
                    for (long rounds : new long[] {1, 7, 1000}) {
                        assertEquals(opsPerRound(isa, kind) * rounds, CpuPeak.probe(kind, rounds), isa + " " + kind + " " + rounds);
                    }
                    double g = CpuPeak.gops(kind, 1, 1);
                    assertTrue(g > 0 && Double.isFinite(g), isa + " " + kind + ": " + g);
                }
            }
        } finally {
            CpuRuntime.forceIsa(null);
        }
    }

    @Test
    void misuseIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CpuPeak.probe(null, 1));
        assertThrows(IllegalArgumentException.class, () -> CpuPeak.probe(CpuPeak.Kind.INT8, 0));
        assertThrows(IllegalArgumentException.class, () -> CpuPeak.gops(CpuPeak.Kind.FP32, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> CpuPeak.gops(CpuPeak.Kind.FP32, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> CpuPeak.gops(CpuPeak.Kind.FP32, 1, Double.NaN));
        CpuRuntime.ensureLoaded();
        assertEquals(-1.0, NativeCpu.dqw_cpu_peak_probe(7, 10));
        assertEquals(-1.0, NativeCpu.dqw_cpu_peak_probe(0, 0));
    }
}
