package org.dqwhisper.cli;

import java.util.Locale;
import org.dqwhisper.cuda.CudaRuntime;

/**
 * Resolves {@code dqw transcribe --device cpu|cuda|auto}: {@code auto} takes CUDA when a device is usable and the
 * precision is FP32 (the CUDA model runs FP16 tensor-core GEMMs; INT8 runs on the CPU), else the CPU, and says
 * which; {@code cuda} without a usable device is an error naming the reason.
 */
final class DeviceChoice {
    private DeviceChoice() {}

    /** The outcome and, for {@code auto}, the line that explains it (null otherwise). */
    record Choice(SpeechModelLoader.Device device, String note) {}

    /**
     * @throws IllegalArgumentException for an unknown option value
     * @throws IllegalStateException for {@code cuda} without a usable device, or with INT8 weights
     */
    static Choice resolve(String option, SpeechModelLoader.Precision precision, CudaRuntime.Status cuda) {
        String v = option == null ? "cpu" : option.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "cpu":
                return new Choice(SpeechModelLoader.Device.CPU, null);
            case "cuda":
                if (!cuda.available()) {
                    throw new IllegalStateException("--device cuda: no usable CUDA device (" + cuda.state() + ": " + cuda.detail()
                            + "); use --device cpu or --device auto");
                }
                if (precision != SpeechModelLoader.Precision.FP32) {
                    throw new IllegalStateException("--device cuda runs FP16 weights; --precision " + precision.name().toLowerCase(Locale.ROOT)
                            + " is not supported on CUDA yet (use --precision fp32, or --device cpu)");
                }
                return new Choice(SpeechModelLoader.Device.CUDA, null);
            case "auto":
                if (!cuda.available()) {
                    return new Choice(SpeechModelLoader.Device.CPU, "device: cpu (--device auto: no usable CUDA device: " + cuda.detail() + ")");
                }
                if (precision != SpeechModelLoader.Precision.FP32) {
                    return new Choice(SpeechModelLoader.Device.CPU, "device: cpu (--device auto: --precision "
                            + precision.name().toLowerCase(Locale.ROOT) + " runs on the CPU; CUDA runs fp32 checkpoints in FP16)");
                }
                return new Choice(SpeechModelLoader.Device.CUDA, "device: cuda (" + cuda.detail() + ")");
            default:
                throw new IllegalArgumentException("--device must be cpu, cuda or auto, got '" + option + "'");
        }
    }
}
