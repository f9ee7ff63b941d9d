package org.dqwhisper.whisper.cuda;

import org.dqwhisper.cuda.CudaBuffer;
import org.dqwhisper.decode.AudioFeatures;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.whisper.WhisperConfig;

/**
 * One window's encoder output on the device, {@code [n_audio_ctx, d]} F32, with every decoder layer's
 * cross-attention keys and values ({@code [2·n_text_layer, n_audio_ctx, d]} F16), computed once in
 * {@link CudaSpeechModel#encode} and shared by all sessions started on it.
 */
final class CudaFeatures implements AudioFeatures {
    private final CudaSpeechModel model;
    final CudaBuffer encoded;
    final CudaBuffer crossKv;
    private boolean closed;

    /** Allocates (lock held by the caller). */
    CudaFeatures(CudaSpeechModel model, WhisperConfig c) {
        this.model = model;
        this.encoded = CudaBuffer.allocate("audio_features", DType.F32, c.nAudioCtx(), c.nAudioState());
        try {
            this.crossKv = CudaBuffer.allocate("cross_kv", DType.F16, 2L * c.nTextLayer(), c.nAudioCtx(), c.nTextState());
        } catch (RuntimeException e) {
            encoded.close();
            throw e;
        }
    }

    CudaSpeechModel model() {
        return model;
    }

    @Override
    public int frames() {
        return (int) encoded.dim(0);
    }

    /** Lock held. */
    void checkOpen() {
        if (closed) throw new IllegalStateException("audio features are closed");
    }

    void closeBuffers() {
        closed = true;
        encoded.close();
        crossKv.close();
    }

    @Override
    public void close() {
        synchronized (model.gpuLock()) {
            if (!closed) closeBuffers();
        }
    }

    @Override
    public String toString() {
        return "CUDA audio features " + encoded.dim(0) + " x " + encoded.dim(1) + (closed ? " (closed)" : "");
    }
}
