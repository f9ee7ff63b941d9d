package org.dqwhisper.cli;

import java.util.Locale;
import org.dqwhisper.cuda.CudaRuntime;

/**
 * Resolves {@code dqw transcribe --device cpu|cuda|auto}: {@code auto} takes CUDA when a device is usable, else the
 * CPU, and says which; {@code cuda} without a usable device is an error naming the reason. Both precisions run on
 * either device (on CUDA: {@code fp32} checkpoints as FP16 tensor-core GEMMs, {@code int8} on the INT8 GEMM).
 */
final class DeviceChoice {
    private DeviceChoice() {}

    /** The outcome and, for {@code auto}, the line that explains it (null otherwise). */
    record Choice(SpeechModelLoader.Device device, String note) {}

    /**
     * @throws IllegalArgumentException for an unknown option value
     * @throws IllegalStateException for {@code cuda} without a usable device
     */
    static Choice resolve(String option, CudaRuntime.Status cuda) {
        String v = option == null ? "cpu" : option.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "cpu":
                return new Choice(SpeechModelLoader.Device.CPU, null);
            case "cuda":
                if (!cuda.available()) {
                    throw new IllegalStateException("--device cuda: no usable CUDA device (" + cuda.state() + ": " + cuda.detail()
                            + "); use --device cpu or --device auto");
                }
                return new Choice(SpeechModelLoader.Device.CUDA, null);
            case "auto":
                if (!cuda.available()) {
                    return new Choice(SpeechModelLoader.Device.CPU, "device: cpu (--device auto: no usable CUDA device: " + cuda.detail() + ")");
                }
                return new Choice(SpeechModelLoader.Device.CUDA, "device: cuda (" + cuda.detail().trim() + ")");
            default:
                throw new IllegalArgumentException("--device must be cpu, cuda or auto, got '" + option + "'");
        }
    }
}
