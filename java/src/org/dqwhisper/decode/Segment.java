package org.dqwhisper.decode;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One decoded segment, field for field the dict that OpenAI whisper's {@code transcribe()} returns per segment.
 *
 * @param id index of the segment in the transcription, from 0
 * @param seek the mel frame (10 ms each) at which the 30 s window that produced this segment started
 * @param start start time in seconds
 * @param end end time in seconds (normally {@code >= start}; not enforced, as whisper does not)
 * @param text the decoded text, usually with a leading space
 * @param tokens the token ids of the segment (text and timestamp tokens); copied, never shared
 * @param temperature the sampling temperature that produced the accepted decode
 * @param avgLogprob mean log-probability of the sampled tokens (may be {@code -Infinity})
 * @param compressionRatio {@link CompressionRatio#of(String)} of the text
 * @param noSpeechProb probability of the no-speech token at the first decode step
 * @param words word timings, or {@code null} when word timestamps were not computed (whisper then has no
 *     {@code "words"} key, and the subtitle writers work on whole segments)
 */
public record Segment(int id, int seek, double start, double end, String text, int[] tokens, double temperature,
        double avgLogprob, double compressionRatio, double noSpeechProb, List<WordTiming> words) {

    public Segment {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(tokens, "tokens");
        if (id < 0 || seek < 0) {
            throw new IllegalArgumentException("segment id and seek must be >= 0, got id=" + id + " seek=" + seek);
        }
        if (!(start >= 0) || !(end >= 0) || Double.isInfinite(start) || Double.isInfinite(end)) {
            throw new IllegalArgumentException(
                    "segment " + id + " needs finite times >= 0, got start=" + start + " end=" + end);
        }
        tokens = tokens.clone();
        words = words == null ? null : List.copyOf(words);
    }

    /** A segment without token statistics or words, for tests and for results from other tools. */
    public static Segment ofText(int id, double start, double end, String text) {
        return new Segment(id, 0, start, end, text, new int[0], 0.0, 0.0, CompressionRatio.of(text), 0.0, null);
    }

    /** Returns a copy of the token ids. */
    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** Whether word timings were computed for this segment (they may still be an empty list). */
    public boolean hasWords() {
        return words != null;
    }

    /** This segment with the given word timings. */
    public Segment withWords(List<WordTiming> newWords) {
        return new Segment(id, seek, start, end, text, tokens, temperature, avgLogprob, compressionRatio, noSpeechProb,
                newWords);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Segment s && id == s.id && seek == s.seek && Double.compare(start, s.start) == 0
                && Double.compare(end, s.end) == 0 && text.equals(s.text) && Arrays.equals(tokens, s.tokens)
                && Double.compare(temperature, s.temperature) == 0 && Double.compare(avgLogprob, s.avgLogprob) == 0
                && Double.compare(compressionRatio, s.compressionRatio) == 0
                && Double.compare(noSpeechProb, s.noSpeechProb) == 0 && Objects.equals(words, s.words);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, seek, start, end, text, Arrays.hashCode(tokens), temperature, avgLogprob,
                compressionRatio, noSpeechProb, words);
    }

    @Override
    public String toString() {
        return "Segment[id=" + id + ", seek=" + seek + ", start=" + start + ", end=" + end + ", text=" + text
                + ", tokens=" + Arrays.toString(tokens) + ", temperature=" + temperature + ", avgLogprob=" + avgLogprob
                + ", compressionRatio=" + compressionRatio + ", noSpeechProb=" + noSpeechProb + ", words=" + words
                + "]";
    }
}
