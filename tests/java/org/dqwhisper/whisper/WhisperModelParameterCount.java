package org.dqwhisper.whisper;

import org.dqwhisper.whisper.io.WhisperTensorNames;

/** Trainable tensors of a config: every checkpoint tensor except the encoder's fixed positional embedding. */
final class WhisperModelParameterCount {
    private WhisperModelParameterCount() {}

    static int expected(WhisperConfig cfg) {
        return WhisperTensorNames.expected(cfg).size() - 1;
    }
}
