package org.dqwhisper.cli;

import static org.junit.jupiter.api.Assertions.*;

import org.dqwhisper.cli.SpeechModelLoader.Device;
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
        assertEquals(new DeviceChoice.Choice(Device.CPU, null), DeviceChoice.resolve("cpu", GPU));
        assertEquals(Device.CPU, DeviceChoice.resolve(" CPU ", NONE).device());
    }

    @Test
    void cudaNeedsADevice() {
        assertEquals(new DeviceChoice.Choice(Device.CUDA, null), DeviceChoice.resolve("cuda", GPU));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DeviceChoice.resolve("cuda", NONE));
        assertTrue(e.getMessage().contains("no usable CUDA device") && e.getMessage().contains("insufficient"), e.getMessage());
    }

    @Test
    void autoFallsBackAndSaysWhy() {
        DeviceChoice.Choice gpu = DeviceChoice.resolve("auto", GPU);
        assertEquals(Device.CUDA, gpu.device());
        assertTrue(gpu.note().startsWith("device: cuda") && gpu.note().contains("H200"), gpu.note());
        DeviceChoice.Choice none = DeviceChoice.resolve("Auto", NONE);
        assertEquals(Device.CPU, none.device());
        assertTrue(none.note().startsWith("device: cpu") && none.note().contains("no usable CUDA device"), none.note());
    }

    @Test
    void unknownValueIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceChoice.resolve("tpu", GPU));
        assertTrue(e.getMessage().contains("cpu, cuda or auto"), e.getMessage());
    }
}
