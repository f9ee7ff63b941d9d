package org.dqwhisper.audio;

/**
 * Mono audio as float samples (nominally in [-1, 1)) at {@code sampleRate} Hz.
 *
 * @param samples        the mono samples (multi-channel sources are already averaged)
 * @param sampleRate     samples per second
 * @param sourceChannels how many channels the source had before the downmix
 */
public record PcmAudio(float[] samples, int sampleRate, int sourceChannels) {
    public PcmAudio {
        if (samples == null) {
            throw new IllegalArgumentException("samples must not be null");
        }
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
        }
        if (sourceChannels <= 0) {
            throw new IllegalArgumentException("source channel count must be positive, got " + sourceChannels);
        }
    }

    /** Duration in seconds. */
    public double durationSeconds() {
        return samples.length / (double) sampleRate;
    }
}
