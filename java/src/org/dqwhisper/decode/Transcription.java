package org.dqwhisper.decode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of transcribing one audio file: OpenAI whisper's {@code transcribe()} dict ({@code text},
 * {@code segments}, {@code language}) plus faster-whisper's language probabilities.
 *
 * @param text the full text (the decoded tokens of all segments)
 * @param segments the segments in time order
 * @param language the language code ("en"), or {@code null} when unknown
 * @param languageProbability probability of {@code language} from language detection; {@code NaN} when the
 *     language was given rather than detected
 * @param languageProbabilities probability per language code from detection, or {@code null}; kept in the
 *     given iteration order, unmodifiable
 */
public record Transcription(String text, List<Segment> segments, String language, double languageProbability,
        Map<String, Double> languageProbabilities) {

    public Transcription {
        Objects.requireNonNull(text, "text");
        segments = List.copyOf(Objects.requireNonNull(segments, "segments"));
        if (languageProbabilities != null) {
            languageProbabilities = Collections.unmodifiableMap(new LinkedHashMap<>(languageProbabilities));
        }
    }

    /** A transcription with a known language and no detection probabilities. */
    public static Transcription of(String text, List<Segment> segments, String language) {
        return new Transcription(text, segments, language, Double.NaN, null);
    }
}
