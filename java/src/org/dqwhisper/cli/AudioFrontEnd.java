package org.dqwhisper.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.dqwhisper.decode.MelSource;

/** Audio decoding and log-mel features for the CLI, installed with {@link SpeechModels#install}. */
public interface AudioFrontEnd {
    /**
     * Decodes an audio file to 16 kHz mono samples in [-1, 1].
     *
     * @throws IOException when the file cannot be read or decoded
     */
    float[] load(Path file) throws IOException;

    /** Whisper's log-mel spectrogram of {@code samples} with 30 s of padding (see {@link MelSource}). */
    MelSource melSpectrogram(float[] samples, int nMels);
}
