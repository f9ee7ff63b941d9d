package org.dqwhisper.cli;

import java.nio.file.Path;
import org.dqwhisper.Whisper;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.SpeechModel;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.whisper.WhisperSpeechModel;
import org.dqwhisper.whisper.cuda.CudaSpeechModel;

/** The real model loader and audio front end behind the CLI's {@link SpeechModels} seam. */
final class WhisperRuntime {
    private WhisperRuntime() {}

    static void install() {
        SpeechModels.installIfAbsent(new SpeechModelLoader() {
            @Override
            public SpeechModel load(String model, Precision precision, int threads) throws java.io.IOException {
                return loadModel(model, precision, threads);
            }

            @Override
            public SpeechModel load(String model, Precision precision, int threads, Device device) throws java.io.IOException {
                return device == Device.CUDA ? loadCudaModel(model, precision, threads) : loadModel(model, precision, threads);
            }
        }, new AudioFrontEnd() {
            @Override
            public float[] load(Path file) throws java.io.IOException {
                return AudioLoader.load(file);
            }

            @Override
            public MelSource melSpectrogram(float[] samples, int nMels) {
                return Whisper.melSource(samples, nMels);
            }
        });
    }

    /** The model for CPU inference ({@link Whisper#cpuSpeechModel}). */
    static WhisperSpeechModel loadModel(String model, SpeechModelLoader.Precision precision, int threads) throws java.io.IOException {
        Path path = Path.of(model);
        return Whisper.cpuSpeechModel(path, Whisper.officialName(path), precision(precision), threads);
    }

    /** The model on CUDA ({@link Whisper#cudaSpeechModel}). */
    static CudaSpeechModel loadCudaModel(String model, SpeechModelLoader.Precision precision, int threads) throws java.io.IOException {
        Path path = Path.of(model);
        return Whisper.cudaSpeechModel(path, Whisper.officialName(path), precision(precision), threads);
    }

    private static Precision precision(SpeechModelLoader.Precision p) {
        return p == SpeechModelLoader.Precision.INT8 ? Precision.INT8 : Precision.FP32;
    }
}
