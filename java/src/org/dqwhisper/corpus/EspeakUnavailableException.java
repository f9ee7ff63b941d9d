package org.dqwhisper.corpus;

/** espeak-ng is not installed, or lacks a voice the corpus needs. */
public final class EspeakUnavailableException extends IllegalStateException {
    public EspeakUnavailableException(String message) {
        super(message);
    }
}
