package org.dqwhisper.decode;

import java.util.Objects;

/**
 * One word with its time span, as in an OpenAI whisper segment's {@code "words"} list.
 *
 * @param word the word's text exactly as decoded, usually with its leading space (" Americans")
 * @param start start time in seconds from the beginning of the audio
 * @param end end time in seconds (normally {@code >= start}; not enforced, as whisper does not)
 * @param probability the mean probability of the word's tokens, in [0, 1]
 */
public record WordTiming(String word, double start, double end, double probability) {
    public WordTiming {
        Objects.requireNonNull(word, "word");
        if (!(start >= 0) || !(end >= 0) || Double.isInfinite(start) || Double.isInfinite(end)) {
            throw new IllegalArgumentException(
                    "word timing needs finite times >= 0, got start=" + start + " end=" + end + " for '" + word + "'");
        }
    }
}
