package org.dqwhisper.decode;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of decoding one window, OpenAI whisper's {@code DecodingResult}.
 *
 * @param tokens the sampled tokens between the initial tokens and end-of-text (text and timestamp tokens)
 * @param text the decoded text of {@code tokens}, stripped of surrounding white space
 * @param avgLogprob {@code sumLogprob / (tokens.length + 1)} (the +1 counts the end-of-text token)
 * @param sumLogprob summed log-probability of the sampled tokens (including end-of-text when sampled)
 * @param noSpeechProb probability of {@code <|nospeech|>} at the start-of-transcript position of the first step
 * @param temperature the temperature used
 * @param compressionRatio {@link CompressionRatio#of} the text
 * @param language language code used for the window (given or detected)
 * @param languageProbs language code to probability when the language was detected, else null
 */
public record DecodingResult(int[] tokens, String text, double avgLogprob, double sumLogprob, double noSpeechProb,
        double temperature, double compressionRatio, String language, Map<String, Double> languageProbs) {

    public DecodingResult {
        Objects.requireNonNull(text, "text");
        tokens = tokens.clone();
        if (languageProbs != null) {
            languageProbs = Collections.unmodifiableMap(new LinkedHashMap<>(languageProbs));
        }
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecodingResult r && Arrays.equals(tokens, r.tokens) && text.equals(r.text)
                && Double.compare(avgLogprob, r.avgLogprob) == 0 && Double.compare(sumLogprob, r.sumLogprob) == 0
                && Double.compare(noSpeechProb, r.noSpeechProb) == 0 && Double.compare(temperature, r.temperature) == 0
                && Double.compare(compressionRatio, r.compressionRatio) == 0 && Objects.equals(language, r.language)
                && Objects.equals(languageProbs, r.languageProbs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(tokens), text, avgLogprob, sumLogprob, noSpeechProb, temperature,
                compressionRatio, language, languageProbs);
    }

    @Override
    public String toString() {
        return "DecodingResult[tokens=" + Arrays.toString(tokens) + ", text=" + text + ", avgLogprob=" + avgLogprob
                + ", sumLogprob=" + sumLogprob + ", noSpeechProb=" + noSpeechProb + ", temperature=" + temperature
                + ", compressionRatio=" + compressionRatio + ", language=" + language + "]";
    }
}
