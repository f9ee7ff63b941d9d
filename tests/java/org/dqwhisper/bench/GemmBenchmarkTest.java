package org.dqwhisper.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.dqwhisper.kernels.OneDnnGemmBackend;
import org.junit.jupiter.api.Test;

class GemmBenchmarkTest {
    @Test
    void whisperShapesCoverEveryModelLayerAndRowCount() {
        List<GemmBenchmark.Shape> all = GemmBenchmark.whisperShapes(false);
        assertEquals(5 * 3 * 4, all.size()); // 5 models x M in {1500, 1, 5} x fc1, fc2, qkv, out
        assertTrue(all.contains(new GemmBenchmark.Shape("large-v3 fc1", 1500, 1280, 5120, true)));
        assertTrue(all.contains(new GemmBenchmark.Shape("tiny out", 5, 384, 384, false)));
        List<GemmBenchmark.Shape> quick = GemmBenchmark.whisperShapes(true);
        assertEquals(List.of(new GemmBenchmark.Shape("base fc1", 1500, 512, 2048, true), new GemmBenchmark.Shape("base fc2", 1500, 2048, 512, false),
                new GemmBenchmark.Shape("base fc1", 1, 512, 2048, true), new GemmBenchmark.Shape("base fc2", 1, 2048, 512, false)), quick);
    }

    @Test
    void shapesParseAndRejectGarbage() {
        assertEquals(new GemmBenchmark.Shape("5x512x2048", 5, 512, 2048, true), GemmBenchmark.Shape.parse("5x512x2048"));
        assertEquals(new GemmBenchmark.Shape("3X7x2", 3, 7, 2, false), GemmBenchmark.Shape.parse(" 3X7x2 "));
        assertThrows(IllegalArgumentException.class, () -> GemmBenchmark.Shape.parse("5x512"));
        assertThrows(IllegalArgumentException.class, () -> GemmBenchmark.Shape.parse("5xAx2"));
        assertThrows(IllegalArgumentException.class, () -> GemmBenchmark.Shape.parse("0x4x4"));
    }

    @Test
    void runMeasuresEachOneDnnImplOnceAtItsOpenMpThreadCount() {
        try (OneDnnGemmBackend be = new OneDnnGemmBackend()) {
            GemmBenchmark bench = new GemmBenchmark(List.of(be), new GemmBenchmark.Settings(0, 1, 0));
            assertEquals(List.of("onednn-int8", "onednn-int8-linear", "onednn-fp32"), bench.availableImpls());
            List<GemmBenchmark.Row> seen = new ArrayList<>();
            List<GemmBenchmark.Shape> shapes = List.of(GemmBenchmark.Shape.parse("3x16x64"), GemmBenchmark.Shape.parse("1x8x32"));
            // "int8" needs the native backend, absent here: skipped, not an error
            List<GemmBenchmark.Row> rows = bench.run(shapes, List.of("int8", "onednn-int8", "onednn-int8-linear", "onednn-fp32"), List.of(1, 2), seen::add);
            assertEquals(seen, rows);
            assertEquals(6, rows.size(), "3 oneDNN impls x 2 shapes, one thread setting each: " + rows);
            for (GemmBenchmark.Row r : rows) {
                assertEquals(OneDnnGemmBackend.openMpThreads(), r.threads());
                assertTrue(r.impl().startsWith("onednn-"));
                assertTrue(r.gops() > 0 && Double.isFinite(r.gops()), "gops " + r);
            }
            assertEquals(new GemmBenchmark.Row(3, 64, 16, "onednn-int8", OneDnnGemmBackend.openMpThreads(), rows.get(0).gops()), rows.get(0));
        }
    }

    @Test
    void misuseIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> GemmBenchmark.checkImpls(List.of("onednn-int4")));
        assertThrows(IllegalArgumentException.class, () -> new GemmBenchmark.Settings(1, 0, 1));
        try (OneDnnGemmBackend be = new OneDnnGemmBackend()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GemmBenchmark.Workload.prepare(be, "int8", GemmBenchmark.Shape.parse("1x8x8")));
            assertTrue(e.getMessage().contains("'native'"), e.getMessage());
            GemmBenchmark bench = new GemmBenchmark(List.of(be), GemmBenchmark.Settings.DEFAULT);
            assertThrows(IllegalArgumentException.class, () -> bench.run(List.of(GemmBenchmark.Shape.parse("1x8x8")), List.of("onednn-fp32"), List.of(0), null));
        }
    }
}
