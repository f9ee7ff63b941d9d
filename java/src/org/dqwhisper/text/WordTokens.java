package org.dqwhisper.text;

import java.util.Arrays;

/**
 * One word of a transcript and the tokens it was decoded from, as produced by
 * {@link WhisperTokenizer#splitToWordTokens}. The word keeps its leading space, e.g. {@code " Americans"}.
 */
public record WordTokens(String word, int[] tokens) {
    public WordTokens {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WordTokens other && word.equals(other.word) && Arrays.equals(tokens, other.tokens);
    }

    @Override
    public int hashCode() {
        return word.hashCode() * 31 + Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return "WordTokens[" + word + " " + Arrays.toString(tokens) + "]";
    }
}
