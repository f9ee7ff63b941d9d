package org.dqwhisper.decode;

/**
 * A word during word-timestamp computation (whisper's {@code timing.WordTiming}): mutable, because punctuation
 * merging empties words and the duration heuristics move their ends. Times are seconds from the window start.
 */
final class AlignedWord {
    String word;
    int[] tokens;
    double start;
    double end;
    final double probability;

    AlignedWord(String word, int[] tokens, double start, double end, double probability) {
        this.word = word;
        this.tokens = tokens;
        this.start = start;
        this.end = end;
        this.probability = probability;
    }

    @Override
    public String toString() {
        return "AlignedWord[" + word + " " + start + "-" + end + " p=" + probability + "]";
    }
}
