package org.dqwhisper.cli;

import static org.junit.jupiter.api.Assertions.*;

import org.dqwhisper.cli.SpeechModelLoader.Device;
import org.dqwhisper.cli.SpeechModelLoader.Precision;
import org.dqwhisper.cuda.CudaRuntime;
import org.junit.jupiter.api.Test;

/** {@code --device cpu|cuda|auto} resolution for a machine with and without a usable CUDA device. */
class DeviceChoiceTest {
    static final CudaRuntime.Status GPU = new CudaRuntime.Status(CudaRuntime.State.AVAILABLE, 1, 0, "NVIDIA H200, 143000 MiB, 132 SMs",
            13000, 13000, "NVIDIA H200", 9, 0);
    static final CudaRuntime.Status NONE = new CudaRuntime.Status(CudaRuntime.State.NO_DRIVER_OR_DEVICE, 0, 35,
            "cudaErrorInsufficientDriver: CUDA driver version is insufficient", 13000, 0, null, 0, 0);

    @Test
    void cpuIsAlwaysCpu() {
        assertEquals(new DeviceChoice.Choice(Device.CPU, null), DeviceChoice.resolve("cpu", Precision.FP32, GPU));
        assertEquals(Device.CPU, DeviceChoice.resolve("CPU", Precision.INT8, NONE).device());
    }

    @Test
    void cudaNeedsADeviceAndFp32() {
        assertEquals(Device.CUDA, DeviceChoice.resolve("cuda", Precision.FP32, GPU).device());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DeviceChoice.resolve("cuda", Precision.FP32, NONE));
        assertTrue(e.getMessage().contains("no usable CUDA device") && e.getMessage().contains("insufficient"), e.getMessage());
        IllegalStateException q = assertThrows(IllegalStateException.class, () -> DeviceChoice.resolve("cuda", Precision.INT8, GPU));
        assertTrue(q.getMessage().contains("int8"), q.getMessage());
    }

    @Test
    void autoFallsBackAndSaysWhy() {
        DeviceChoice.Choice gpu = DeviceChoice.resolve("auto", Precision.FP32, GPU);
        assertEquals(Device.CUDA, gpu.device());
        assertTrue(gpu.note().contains("cuda") && gpu.note().contains("H200"), gpu.note());
        DeviceChoice.Choice none = DeviceChoice.resolve("auto", Precision.FP32, NONE);
        assertEquals(Device.CPU, none.device());
        assertTrue(none.note().contains("no usable CUDA device"), none.note());
        DeviceChoice.Choice int8 = DeviceChoice.resolve("auto", Precision.INT8, GPU);
        assertEquals(Device.CPU, int8.device());
        assertTrue(int8.note().contains("int8"), int8.note());
    }

    @Test
    void unknownValueIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> DeviceChoice.resolve("tpu", Precision.FP32, GPU));
    }
}
