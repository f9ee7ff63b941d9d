package org.dqwhisper.whisper.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.train.WhisperInit;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 8-bit storage round trip: every tensor back within half a quantization step, plain tensors exact, misuse named. */
class CompactCheckpointTest {
    static final WhisperConfig CFG = WhisperConfig.of(8, 6, 32, 2, 2, 70, 10, 32, 2, 2);

    @TempDir
    Path dir;

    @Test
    void roundTripWithinHalfAStepAndPlainTensorsExact() throws IOException {
        Path out = dir.resolve("m");
        try (WhisperModel m = WhisperInit.random(CFG, 3)) {
            long bytes = CompactCheckpoint.write(m.stateTensors(), m.config(), out);
            long fp32 = 0;
            for (Tensor t : m.stateTensors().values()) fp32 += t.numel() * 4;
            assertTrue(bytes < fp32 / 2, "8-bit storage " + bytes + " bytes vs FP32 " + fp32);
            assertTrue(CompactCheckpoint.isCompact(out));
            try (WhisperModel back = WhisperModel.load(out, Precision.FP32)) {
                assertEquals(m.config(), back.config());
                Map<String, Tensor> a = m.stateTensors(), b = back.stateTensors();
                assertEquals(a.keySet(), b.keySet());
                for (String name : a.keySet()) {
                    float[] x = a.get(name).toFloatArray(), y = b.get(name).toFloatArray();
                    if (!CompactCheckpoint.stored8Bit(name, a.get(name).shape())) {
                        assertArrayEquals(x, y, name + " is stored exactly");
                        continue;
                    }
                    int rows = (int) a.get(name).dim(0), cols = x.length / rows;
                    for (int r = 0; r < rows; r++) {
                        float max = 0;
                        for (int c = 0; c < cols; c++) max = Math.max(max, Math.abs(x[r * cols + c]));
                        float half = max / 127f / 2f * 1.0001f; // half a step, plus float rounding of q·scale
                        for (int c = 0; c < cols; c++) {
                            assertEquals(x[r * cols + c], y[r * cols + c], half, name + " [" + r + "," + c + "]");
                        }
                    }
                }
            }
        }
    }

    @Test
    void misuseIsNamed() throws IOException {
        Path out = dir.resolve("m");
        try (WhisperModel m = WhisperInit.random(CFG, 4)) {
            CompactCheckpoint.write(m.stateTensors(), m.config(), out);
            assertThrows(FileAlreadyExistsException.class, () -> CompactCheckpoint.write(m.stateTensors(), m.config(), out));
        }
        Files.delete(out.resolve(CompactCheckpoint.DIMS_FILE));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CompactCheckpoint.open(out));
        assertTrue(e.getMessage().contains("dims.json"), e.getMessage());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(1, left.count(), "no temporary folder left behind");
        }
    }
}
