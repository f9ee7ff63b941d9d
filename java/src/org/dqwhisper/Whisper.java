package org.dqwhisper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.cuda.CudaRuntime;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.SpeechModel;
import org.dqwhisper.decode.TranscribeOptions;
import org.dqwhisper.decode.Transcriber;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.decode.TranscriptionListener;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.WhisperSpeechModel;
import org.dqwhisper.whisper.cuda.CudaSpeechModel;

/**
 * Whisper in a few lines: load a checkpoint once, transcribe files or samples, from any number of threads.
 *
 * <pre>{@code
 * try (Whisper whisper = Whisper.builder(Path.of("whisper-base")).precision(Precision.INT8).build()) {
 *     Transcription t = whisper.transcribe(Path.of("talk.mp3"));
 *     t.segments().forEach(s -> System.out.printf("[%.2f -> %.2f] %s%n", s.start(), s.end(), s.text()));
 * }
 * }</pre>
 *
 * <p>The model is what {@code dqw transcribe --model} takes: a Hugging Face folder, an OpenAI {@code .pt} file, a
 * folder with an OpenAI-layout checkpoint, or a dq-whisper export (quantized or 8-bit storage). Every dimension is
 * read from the checkpoint. Audio files go through FFmpeg (WAV, FLAC, MP3, OGG, M4A, video), are resampled to 16 kHz
 * mono and cut into Whisper's 30-s windows as {@code whisper.transcribe} does; {@link TranscribeOptions} holds
 * OpenAI's decoding settings (language, task, beam size, temperature fallback, word timestamps, ...).
 *
 * <p>Thread-safe: the weights are immutable and each call decodes with its own state. {@link #close()} frees the
 * native memory; calls after it throw {@link IllegalStateException}.
 */
public final class Whisper implements AutoCloseable {
    /** Where the model runs. {@code AUTO} takes CUDA when a device is usable, else the CPU. */
    public enum Device { CPU, CUDA, AUTO }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Whisper.class);

    private final SpeechModel model;
    private final AutoCloseable owner;
    private final Transcriber transcriber;
    private final Device device;
    private final Precision precision;
    private volatile boolean closed;

    private Whisper(SpeechModel model, AutoCloseable owner, Device device, Precision precision) {
        this.model = model;
        this.owner = owner;
        this.transcriber = new Transcriber(model);
        this.device = device;
        this.precision = precision;
    }

    /** Loads {@code model} for the CPU in FP32 (as {@code dqw transcribe}'s defaults). */
    public static Whisper load(Path model) throws IOException {
        return builder(model).build();
    }

    public static Builder builder(Path model) {
        return new Builder(model);
    }

    /** Settings of {@link #build()}. */
    public static final class Builder {
        private final Path model;
        private Precision precision = Precision.FP32;
        private Device device = Device.CPU;
        private int threads;
        private String modelName;

        private Builder(Path model) {
            this.model = nonNull(model, "model path");
        }

        /**
         * FP32 (default) or INT8: dynamic INT8 on the CPU's VNNI kernels (weights per output channel, activations
         * per row); on CUDA, FP32 checkpoints run as FP16 tensor-core GEMMs and INT8 on the INT8 GEMM. A quantized
         * export runs its integer Linears on the integer kernels whatever this says.
         */
        public Builder precision(Precision v) {
            precision = nonNull(v, "precision");
            return this;
        }

        /** CPU (default), CUDA (an error without a usable device), or AUTO. */
        public Builder device(Device v) {
            device = nonNull(v, "device");
            return this;
        }

        /** Kernel threads for the whole process ({@link CpuRuntime#setThreads}); 0 (default) keeps the setting. */
        public Builder threads(int v) {
            if (v < 0) throw new IllegalArgumentException("threads must be >= 0, got " + v);
            threads = v;
            return this;
        }

        /**
         * The official model name ("base", "large-v3", ...) whose alignment heads word timestamps use. By default
         * it is taken from the path ("whisper-base" → "base", "small.pt" → "small"); an unofficial model uses the
         * heads its checkpoint declares, else the last half of the decoder layers.
         */
        public Builder modelName(String v) {
            modelName = v;
            return this;
        }

        /**
         * @throws NoSuchFileException when the model path does not exist
         * @throws IOException when the checkpoint cannot be read (the message names the file and the tensor)
         * @throws IllegalStateException for {@link Device#CUDA} without a usable CUDA device (the message says why)
         */
        public Whisper build() throws IOException {
            Device where = device;
            CudaRuntime.Status cuda = CudaRuntime.status();
            if (where == Device.AUTO) where = cuda.available() ? Device.CUDA : Device.CPU;
            if (where == Device.CUDA && !cuda.available())
                throw new IllegalStateException("no usable CUDA device (" + cuda.state() + ": " + cuda.detail() + "); use Device.CPU or Device.AUTO");
            String name = modelName != null ? modelName : officialName(model);
            if (where == Device.CUDA) {
                CudaSpeechModel m = cudaSpeechModel(model, name, precision, threads);
                return new Whisper(m, m, where, precision);
            }
            WhisperSpeechModel m = cpuSpeechModel(model, name, precision, threads);
            return new Whisper(m, m, where, precision);
        }
    }

    /** Transcribes an audio file with OpenAI's default settings (language detected, temperature fallback). */
    public Transcription transcribe(Path audio) throws IOException {
        return transcribe(audio, TranscribeOptions.builder().build());
    }

    /**
     * Transcribes (or translates) an audio file.
     *
     * @throws IOException when the file cannot be read or decoded (the message names it)
     */
    public Transcription transcribe(Path audio, TranscribeOptions options) throws IOException {
        nonNull(audio, "audio path");
        nonNull(options, "options");
        ensureOpen();
        return transcribe(AudioLoader.load(audio), options);
    }

    /** Transcribes 16 kHz mono samples in [-1, 1]. */
    public Transcription transcribe(float[] samples, TranscribeOptions options) {
        return transcribe(samples, options, null);
    }

    /** As {@link #transcribe(float[], TranscribeOptions)}, reporting each finished segment to {@code listener}. */
    public Transcription transcribe(float[] samples, TranscribeOptions options, TranscriptionListener listener) {
        nonNull(samples, "samples");
        nonNull(options, "options");
        ensureOpen();
        MelSource mel = melSource(samples, model.nMels());
        return listener == null ? transcriber.transcribe(mel, options) : transcriber.transcribe(mel, options, listener);
    }

    /** The decoding-level model (for {@link Transcriber}, {@code BatchTranscriber} or a custom loop). */
    public SpeechModel speechModel() {
        ensureOpen();
        return model;
    }

    /** Where the model runs ({@link Device#AUTO} resolved). */
    public Device device() {
        return device;
    }

    public Precision precision() {
        return precision;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            owner.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("closing the model failed", e);
        }
    }

    private static <T> T nonNull(T v, String what) {
        if (v == null) throw new IllegalArgumentException("Whisper: " + what + " is null");
        return v;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("this Whisper is closed");
    }

    // ---- building blocks, shared with the command line ---------------------------------------------------------

    /**
     * Whisper's log-mel features of {@code samples} (16 kHz mono) as {@code whisper.transcribe} makes them: the
     * spectrogram of the samples followed by 30 s of zeros, and the frame count of the samples alone.
     */
    public static MelSource melSource(float[] samples, int nMels) {
        // whisper.transcribe: log_mel_spectrogram(audio, padding=N_SAMPLES); the max-8 floor covers the padding
        MelSpectrogram mel = new LogMelSpectrogram(nMels).compute(samples, LogMelSpectrogram.CHUNK_SAMPLES);
        int content = samples.length / LogMelSpectrogram.HOP_LENGTH;
        return MelSource.of(mel.toFloatArray(), nMels, mel.frames(), Math.min(content, mel.frames() - MelSource.WINDOW_FRAMES));
    }

    /** "whisper-base.en", "openai_whisper-large-v3", "small.pt" → "base.en", "large-v3", "small". */
    public static String officialName(Path path) {
        Path file = path.getFileName();
        String n = file == null ? path.toString() : file.toString();
        if (n.endsWith(".pt")) n = n.substring(0, n.length() - 3);
        int i = n.lastIndexOf("whisper-");
        return i >= 0 ? n.substring(i + "whisper-".length()) : n;
    }

    /**
     * The model for CPU inference. A quantized export's integer Linears then drop their FP32 master weights
     * ({@link WhisperModel#releaseIntegerMasterWeights}): nothing on this path reads them.
     *
     * @param threads kernel threads for the process, or 0 to keep the setting
     */
    public static WhisperSpeechModel cpuSpeechModel(Path model, String modelName, Precision precision, int threads) throws IOException {
        WhisperModel m = loadCpu(model, precision, threads);
        long freed = m.releaseIntegerMasterWeights();
        if (freed > 0) LOG.debug("{}: released {} bytes of FP32 master weights of integer Linears", model, freed);
        return new WhisperSpeechModel(m, modelName, true);
    }

    /**
     * The model on CUDA: loaded on the CPU (FP32), uploaded (FP16 GEMM weights, or INT8 block Linears for
     * {@link Precision#INT8}), and the CPU copy closed.
     */
    public static CudaSpeechModel cudaSpeechModel(Path model, String modelName, Precision precision, int threads) throws IOException {
        try (WhisperModel cpu = loadCpu(model, Precision.FP32, threads)) { // the upload reads the FP32 weights
            return CudaSpeechModel.upload(cpu, modelName, precision == Precision.INT8);
        }
    }

    private static WhisperModel loadCpu(Path model, Precision precision, int threads) throws IOException {
        nonNull(model, "model path");
        nonNull(precision, "precision");
        if (!Files.exists(model)) {
            throw new NoSuchFileException(model.toString(), null,
                    "no such model (give a Hugging Face folder, an OpenAI .pt file, or a folder with model.pt / model.safetensors + dims.json; models cannot be downloaded here)");
        }
        if (threads > 0) CpuRuntime.setThreads(threads);
        return WhisperModel.load(model, precision);
    }
}
