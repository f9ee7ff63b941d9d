package org.dqwhisper.cli;

import java.io.IOException;
import org.dqwhisper.decode.SpeechModel;

/**
 * Opens a Whisper model for the CLI. The model layer installs an implementation with
 * {@link SpeechModels#install}; the command line only knows this seam.
 */
@FunctionalInterface
public interface SpeechModelLoader {
    /** Weight precision the CLI asks for ({@code --precision}). */
    enum Precision { FP32, INT8 }

    /**
     * @param model an official model name ("tiny", "base.en", "large-v3", ...) or a checkpoint path
     * @param precision weights in float32 or INT8
     * @param threads CPU threads for the kernels, or 0 for the default
     * @return the model; if it is {@link AutoCloseable} the CLI closes it when done
     * @throws IOException when the model cannot be found or read
     */
    SpeechModel load(String model, Precision precision, int threads) throws IOException;

    /** Where the model runs ({@code --device}, after {@code auto} is resolved). */
    enum Device { CPU, CUDA }

    /**
     * Loads the model for {@code device}. This default serves the CPU through {@link #load(String, Precision, int)}
     * and refuses anything else; loaders with a CUDA model override it.
     *
     * @throws UnsupportedOperationException when this loader cannot run on {@code device}
     */
    default SpeechModel load(String model, Precision precision, int threads, Device device) throws IOException {
        if (device == Device.CPU) return load(model, precision, threads);
        throw new UnsupportedOperationException("this model loader has no " + device + " implementation; use --device cpu");
    }
}
