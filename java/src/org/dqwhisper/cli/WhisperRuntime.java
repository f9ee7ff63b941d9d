package org.dqwhisper.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.SpeechModel;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.WhisperSpeechModel;
import org.dqwhisper.whisper.cuda.CudaSpeechModel;

/** The real model loader and audio front end behind the CLI's {@link SpeechModels} seam. */
final class WhisperRuntime {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WhisperRuntime.class);
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
                // whisper.transcribe: log_mel_spectrogram(audio, padding=N_SAMPLES); the max-8 floor covers the padding
                MelSpectrogram mel = new LogMelSpectrogram(nMels).compute(samples, LogMelSpectrogram.CHUNK_SAMPLES);
                int content = samples.length / LogMelSpectrogram.HOP_LENGTH;
                return MelSource.of(mel.toFloatArray(), nMels, mel.frames(), Math.min(content, mel.frames() - MelSource.WINDOW_FRAMES));
            }
        });
    }

    /**
     * The model for CPU inference. A quantized export's integer Linears then drop their FP32 master weights
     * ({@link WhisperModel#releaseIntegerMasterWeights}): nothing on this path reads them.
     */
    static WhisperSpeechModel loadModel(String model, SpeechModelLoader.Precision precision, int threads) throws java.io.IOException {
        WhisperModel m = loadCpuModel(model, precision, threads);
        long freed = m.releaseIntegerMasterWeights();
        if (freed > 0) LOG.debug("{}: released {} bytes of FP32 master weights of integer Linears", model, freed);
        return new WhisperSpeechModel(m, officialName(Path.of(model)), true);
    }

    private static WhisperModel loadCpuModel(String model, SpeechModelLoader.Precision precision, int threads) throws java.io.IOException {
        Path path = Path.of(model);
        if (!Files.exists(path)) {
            throw new java.nio.file.NoSuchFileException(model, null,
                    "no such model (give a Hugging Face folder, an OpenAI .pt file, or a folder with model.pt / model.safetensors + dims.json; models cannot be downloaded here)");
        }
        if (threads > 0) CpuRuntime.setThreads(threads);
        Precision p = precision == SpeechModelLoader.Precision.INT8 ? Precision.INT8 : Precision.FP32;
        return WhisperModel.load(path, p);
    }

    /**
     * The model on CUDA: loaded on the CPU (FP32), uploaded (FP16 GEMM weights, or INT8 block Linears with
     * {@code --precision int8}), and the CPU copy closed.
     */
    static CudaSpeechModel loadCudaModel(String model, SpeechModelLoader.Precision precision, int threads) throws java.io.IOException {
        try (WhisperModel cpu = loadCpuModel(model, SpeechModelLoader.Precision.FP32, threads)) { // the upload reads the FP32 weights
            return CudaSpeechModel.upload(cpu, officialName(Path.of(model)), precision == SpeechModelLoader.Precision.INT8);
        }
    }

    /** "whisper-base.en", "openai_whisper-large-v3", "small.pt" → "base.en", "large-v3", "small". */
    static String officialName(Path path) {
        String n = path.getFileName().toString();
        if (n.endsWith(".pt")) n = n.substring(0, n.length() - 3);
        int i = n.lastIndexOf("whisper-");
        return i >= 0 ? n.substring(i + "whisper-".length()) : n;
    }
}
