package org.dqwhisper.whisper.cuda;

import org.dqwhisper.cuda.CudaBuffer;
import org.dqwhisper.cuda.CudaGemm;
import org.dqwhisper.cuda.CudaRuntime;
import org.dqwhisper.cuda.CudaStream;
import org.dqwhisper.decode.AlignmentHeads;
import org.dqwhisper.decode.AudioFeatures;
import org.dqwhisper.decode.DecoderSession;
import org.dqwhisper.decode.SpeechModel;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.WhisperSpeechModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decoding stack's {@link SpeechModel} on a CUDA device: the weights of a loaded {@link WhisperModel} are
 * uploaded once (FP16 matrices for the tensor-core GEMMs with FP32 accumulation, FP32 LayerNorms, biases and
 * residual stream; see {@link CudaWhisperForward}); the encoder, the decoder with its device key/value cache
 * and the cross-attention scores for word timestamps run on the GPU. Only the mel spectrogram goes in and only
 * the requested logits (and, for word timestamps, the alignment heads' queries and keys) come out.
 *
 * <p><b>Threads.</b> One CUDA stream per model; all GPU work of the model and its features and sessions runs
 * under one lock and ends with a stream synchronization, so the model may be shared by threads (they take turns
 * on the GPU). Features and sessions own their device memory and must be closed; closing the model frees the
 * weights and work buffers, after which every use throws {@link IllegalStateException}.
 */
public final class CudaSpeechModel implements SpeechModel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CudaSpeechModel.class);

    private final WhisperConfig config;
    private final WhisperTokenizer tokenizer;
    private final AlignmentHeads alignmentHeads;
    private final Object gpu = new Object();
    private final CudaStream stream;
    private final CudaWhisperWeights weights;
    private final DeviceScratch scratch;
    private final CudaWhisperForward forward;
    private boolean closed;

    private CudaSpeechModel(WhisperConfig config, AlignmentHeads heads, CudaStream stream, CudaWhisperWeights weights) {
        this.config = config;
        this.tokenizer = WhisperTokenizer.forVocabSize(config.nVocab());
        this.alignmentHeads = heads;
        this.stream = stream;
        this.weights = weights;
        this.scratch = new DeviceScratch();
        this.forward = new CudaWhisperForward(config, weights, scratch, stream);
    }

    /**
     * Uploads {@code model}'s weights to device 0. The CPU model is not needed afterwards (the caller may close it).
     *
     * @param modelName an official name ("base", "large-v3", ...) selects OpenAI's alignment heads, as in
     *     {@link WhisperSpeechModel}; null uses the checkpoint's own or the last half of the decoder layers
     * @throws org.dqwhisper.cuda.CudaException "no CUDA device: ..." without a usable device
     */
    public static CudaSpeechModel upload(WhisperModel model, String modelName) {
        return upload(model, modelName, false);
    }

    /**
     * As {@link #upload(WhisperModel, String)}; with {@code int8} the attention and MLP Linears of every block run
     * on the INT8 tensor-core GEMM: weights quantized per output channel once at upload, activations per row at
     * each call, exact s32 accumulation dequantized in the epilogue (the numerics of the CPU INT8 path). The
     * convolutions, attention and logits stay FP16.
     */
    public static CudaSpeechModel upload(WhisperModel model, String modelName, boolean int8) {
        CudaRuntime.requireAvailable();
        AlignmentHeads heads = new WhisperSpeechModel(model, modelName, false).alignmentHeads();
        CudaStream stream = CudaStream.create();
        try {
            CudaWhisperWeights w = new CudaWhisperWeights(model, int8);
            LOG.info("CUDA model on {} ({}): {} MiB of weights", CudaRuntime.status().deviceName().trim(),
                    int8 ? "INT8 block Linears, FP16 convolutions and logits" : "FP16", w.bytes() >> 20);
            return new CudaSpeechModel(model.config(), heads, stream, w);
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    public WhisperConfig config() {
        return config;
    }

    /** Whether the block Linears run on the INT8 GEMM (else FP16). */
    public boolean isInt8() {
        return weights.int8;
    }

    @Override
    public WhisperTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int nTextCtx() {
        return config.nTextCtx();
    }

    @Override
    public int nAudioCtx() {
        return config.nAudioCtx();
    }

    @Override
    public int nMels() {
        return config.nMels();
    }

    @Override
    public int nTextLayer() {
        return config.nTextLayer();
    }

    @Override
    public int nTextHead() {
        return config.nTextHead();
    }

    @Override
    public AlignmentHeads alignmentHeads() {
        return alignmentHeads;
    }

    @Override
    public AudioFeatures encode(float[] mel) {
        long need = (long) config.nMels() * config.nMelFrames();
        if (mel == null || mel.length != need) {
            throw new IllegalArgumentException("mel has " + (mel == null ? "no" : mel.length) + " values, the model needs "
                    + config.nMels() + " x " + config.nMelFrames());
        }
        synchronized (gpu) {
            checkOpen();
            stream.synchronize(); // idle before the synchronous upload into a work buffer
            CudaFeatures f = new CudaFeatures(this, config);
            try {
                CudaBuffer m = scratch.take("mel", DType.F32, config.nMels(), config.nMelFrames());
                m.copyFrom(mel);
                forward.encode(m, f.encoded, f.crossKv);
                stream.synchronize();
                return f;
            } catch (RuntimeException e) {
                f.closeBuffers();
                throw e;
            }
        }
    }

    /** The encoder output {@code [n_audio_ctx, n_audio_state]} of {@code audio}, row-major (for tests and tools). */
    public float[] encoderOutput(AudioFeatures audio) {
        CudaFeatures f = features(audio);
        synchronized (gpu) {
            checkOpen();
            f.checkOpen();
            return f.encoded.toFloatArray();
        }
    }

    @Override
    public DecoderSession startDecoder(AudioFeatures audio) {
        CudaFeatures f = features(audio);
        synchronized (gpu) {
            checkOpen();
            f.checkOpen();
            return new CudaDecoderSession(this, f);
        }
    }

    @Override
    public float[][][] crossAttentionScores(AudioFeatures audio, int[] tokens, AlignmentHeads heads) {
        CudaFeatures f = features(audio);
        if (heads.size() == 0) return new float[0][][];
        for (int i = 0; i < heads.size(); i++) {
            if (heads.layer(i) < 0 || heads.layer(i) >= config.nTextLayer() || heads.head(i) < 0 || heads.head(i) >= config.nTextHead()) {
                throw new IllegalArgumentException("alignment head (" + heads.layer(i) + ", " + heads.head(i) + ") outside "
                        + config.nTextLayer() + " layers x " + config.nTextHead() + " heads");
            }
        }
        try (CudaDecoderSession s = (CudaDecoderSession) startDecoder(f)) {
            return s.crossAttentionScores(tokens, heads);
        }
    }

    // ---- package-private plumbing for the features and sessions --------------------------------------------

    Object gpuLock() {
        return gpu;
    }

    CudaStream stream() {
        return stream;
    }

    DeviceScratch scratch() {
        return scratch;
    }

    CudaWhisperForward forward() {
        return forward;
    }

    /** Call with the lock held. */
    void checkOpen() {
        if (closed) throw new IllegalStateException("the CUDA model is closed");
    }

    private CudaFeatures features(AudioFeatures a) {
        if (!(a instanceof CudaFeatures f) || f.model() != this) {
            throw new IllegalArgumentException("audio features come from another model: " + a);
        }
        return f;
    }

    /** Frees the weights and work buffers and destroys the stream; closing twice is harmless. */
    @Override
    public void close() {
        synchronized (gpu) {
            if (closed) return;
            closed = true;
            try {
                scratch.close();
                weights.close();
            } finally {
                stream.close();
            }
        }
    }

    /** Rounds through {@link CudaGemm#convert} to F32 and downloads (lock held, stream idle afterwards). */
    float[] downloadAsFloat(CudaBuffer half, String scratchName) {
        CudaBuffer f = scratch.take(scratchName, DType.F32, half.numel());
        CudaGemm.convert(half.reshape(half.numel()), f, stream);
        stream.synchronize();
        return f.toFloatArray();
    }
}
