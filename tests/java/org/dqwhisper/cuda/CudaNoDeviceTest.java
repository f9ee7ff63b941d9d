package org.dqwhisper.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Without a usable device (no driver, no GPU, or a library built without nvcc) every CUDA call of the
 * public API throws a {@link CudaException} saying "no CUDA device: ..." — never a crash and never a
 * different exception. Skipped on a machine with a GPU.
 */
class CudaNoDeviceTest {
    @Test
    void everyCallThrowsTheClearException() {
        assumeFalse(CudaRuntime.available(), "a CUDA device is present");
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("CudaBuffer.allocate", () -> CudaBuffer.allocate(DType.F32, 4));
        calls.put("CudaBuffer.of(float[])", () -> CudaBuffer.of(new float[] {1, 2}, 2));
        calls.put("CudaBuffer.of(int[])", () -> CudaBuffer.of(new int[] {1}, 1));
        calls.put("CudaBuffer.of(byte[])", () -> CudaBuffer.of(new byte[] {1}, 1));
        calls.put("CudaBuffer.of(short[])", () -> CudaBuffer.of(DType.F16, new short[] {1}, 1));
        calls.put("CudaBuffer.of(Tensor)", () -> {
            try (Tensor t = Tensor.of(new float[] {1, 2, 3}, 3)) {
                CudaBuffer.of(t);
            }
        });
        calls.put("CudaStream.create", CudaStream::create);
        calls.put("default stream synchronize", () -> CudaStream.defaultStream().synchronize());
        calls.put("CudaEvent.create", CudaEvent::create);
        calls.put("CudaDevice.count", CudaDevice::count);
        calls.put("CudaDevice.get", () -> CudaDevice.get(0));
        calls.put("CudaDevice.current", CudaDevice::current);
        calls.put("CudaDevice.synchronize", CudaDevice::synchronize);
        calls.put("CudaDevice.memoryInfo", CudaDevice::memoryInfo);
        calls.put("CudaGemm.convert", () -> CudaGemm.convert(null, null, null));
        calls.put("CudaGemm.quantizeRows", () -> CudaGemm.quantizeRows(null, null, null, null));
        calls.put("CudaGemm.int8GemmS32", () -> CudaGemm.int8GemmS32(null, null, null, null));
        calls.put("CudaGemm.int8Gemm", () -> CudaGemm.int8Gemm(null, null, null, null, null, true, null, null));
        calls.put("CudaGemm.halfGemm", () -> CudaGemm.halfGemm(null, null, null, false, null, null));
        calls.put("CudaAttention.forward", () -> CudaAttention.forward(null, null, null, null, null, 1, -1, null));
        calls.put("CudaAttention.forwardGeneric", () -> CudaAttention.forwardGeneric(null, null, null, null, null, 1, -1, null));
        calls.put("CudaAttention.naive", () -> CudaAttention.naive(null, null, null, null, null, null, 1, -1, null));
        calls.put("CudaAttention.backward", () -> CudaAttention.backward(null, null, null, null, null, null, null, null,
                null, null, 1, -1, null));
        FakeQuantSpec spec = FakeQuantSpec.perChannel(4, true);
        calls.put("CudaFakeQuant.forward", () -> CudaFakeQuant.forward(null, null, null, null, spec, null));
        calls.put("CudaFakeQuant.backward", () -> CudaFakeQuant.backward(null, null, null, null, null, null, null, null,
                spec, 1f, null));
        calls.put("CudaFakeQuant.initScales", () -> CudaFakeQuant.initScales(null, null, null, spec, null));
        calls.put("layerNormForward", () -> CudaNnKernels.layerNormForward(null, null, null, null, null, null, 1e-5f, null));
        calls.put("layerNormBackward", () -> CudaNnKernels.layerNormBackward(null, null, null, null, null, null, null,
                null, false, null));
        calls.put("geluForward", () -> CudaNnKernels.geluForward(null, null, null));
        calls.put("geluBackward", () -> CudaNnKernels.geluBackward(null, null, null, null));
        calls.put("softmaxForward", () -> CudaNnKernels.softmaxForward(null, null, null));
        calls.put("softmaxBackward", () -> CudaNnKernels.softmaxBackward(null, null, null, null));
        calls.put("embeddingForward", () -> CudaNnKernels.embeddingForward(null, null, null, null));
        calls.put("embeddingBackward", () -> CudaNnKernels.embeddingBackward(null, null, null, null));
        calls.put("crossEntropy", () -> CudaNnKernels.crossEntropy(null, null, null, null, -100, 0f, 1f, null));
        calls.put("klDivergence", () -> CudaNnKernels.klDivergence(null, null, null, null, null, 1f, 1f, null));
        calls.put("adamwStep", () -> CudaNnKernels.adamwStep(null, null, null, null, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1f,
                1, null));
        String detail = CudaRuntime.status().detail();
        for (Map.Entry<String, Executable> call : calls.entrySet()) {
            CudaException e = assertThrows(CudaException.class, call.getValue(), call.getKey());
            assertTrue(e.getMessage().startsWith("no CUDA device: "), call.getKey() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(detail), call.getKey() + " carries the probe's detail: " + e.getMessage());
            assertNotEquals(0, e.error(), call.getKey());
        }
    }

    @Test
    void theDefaultStreamExistsWithoutADevice() {
        CudaStream s = CudaStream.defaultStream();
        assertEquals(0L, s.handle());
        s.close(); // never destroyed
        assertFalse(s.isClosed());
    }

    @Test
    void cudaExceptionIsAnIllegalStateException() {
        assumeFalse(CudaRuntime.available(), "a CUDA device is present");
        assertInstanceOf(IllegalStateException.class, assertThrows(CudaException.class, CudaStream::create));
    }
}
