package org.dqwhisper.decode;

/**
 * The encoder output of one 30 s window ({@code [n_audio_ctx, n_audio_state]}), as an opaque handle owned by the
 * {@link SpeechModel} that made it. Decoder sessions started on it read it, so it must stay open until every
 * {@link DecoderSession} started from it is closed. Closing releases its memory; closing twice is harmless.
 */
public interface AudioFeatures extends AutoCloseable {
    /** Number of encoder positions ({@code n_audio_ctx}, 1500 for the official models). */
    int frames();

    @Override
    void close();
}
