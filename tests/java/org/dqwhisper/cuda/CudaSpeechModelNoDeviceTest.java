package org.dqwhisper.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Path;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.cuda.CudaSpeechModel;
import org.junit.jupiter.api.Test;

/**
 * Without a usable device the CUDA model and its kernels refuse with the clear "no CUDA device" exception
 * (never a crash); the pure shape arithmetic works everywhere.
 */
class CudaSpeechModelNoDeviceTest {
    @Test
    void uploadAndKernelsThrowTheClearException() throws IOException {
        assumeFalse(CudaRuntime.available(), "a CUDA device is present");
        try (WhisperModel m = WhisperModel.load(Path.of("tests/data/tiny-random-a/openai"), Precision.FP32)) {
            CudaException e = assertThrows(CudaException.class, () -> CudaSpeechModel.upload(m, null));
            assertTrue(e.getMessage().startsWith("no CUDA device"), e.getMessage());
        }
        CudaException e1 = assertThrows(CudaException.class, () -> CudaModelOps.im2col1d(null, true, 3, 1, 1, null, null));
        assertTrue(e1.getMessage().startsWith("no CUDA device"), e1.getMessage());
        CudaException e2 = assertThrows(CudaException.class, () -> CudaModelOps.addInPlace(null, null, null));
        assertTrue(e2.getMessage().startsWith("no CUDA device"), e2.getMessage());
    }

    @Test
    void convolutionOutputLength() {
        assertEquals(3000, CudaModelOps.conv1dOutputLength(3000, 3, 1, 1)); // whisper conv1
        assertEquals(1500, CudaModelOps.conv1dOutputLength(3000, 3, 2, 1)); // whisper conv2
        assertEquals(19, CudaModelOps.conv1dOutputLength(37, 3, 2, 1));
        assertEquals(1, CudaModelOps.conv1dOutputLength(1, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> CudaModelOps.conv1dOutputLength(10, 3, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> CudaModelOps.conv1dOutputLength(10, 3, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> CudaModelOps.conv1dOutputLength(1, 5, 1, 1));
    }
}
