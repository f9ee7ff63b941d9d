package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * A segment while a window is being processed (whisper's segment dict): word timing and the hallucination checks
 * still move its times, empty its text or attach words. {@link #toSegment(int)} freezes it.
 */
final class SegmentDraft {
    /** A word with times in seconds from the start of the audio, rounded to 0.01 s as whisper does. */
    static final class Word {
        String word;
        double start;
        double end;
        final double probability;

        Word(String word, double start, double end, double probability) {
            this.word = word;
            this.start = start;
            this.end = end;
            this.probability = probability;
        }
    }

    final int seek;
    double start;
    double end;
    String text;
    int[] tokens;
    final DecodingResult result;
    /** Null until word timestamps ran. */
    List<Word> words;

    SegmentDraft(int seek, double start, double end, String text, int[] tokens, DecodingResult result) {
        this.seek = seek;
        this.start = start;
        this.end = end;
        this.text = text;
        this.tokens = tokens;
        this.result = result;
    }

    boolean hasWords() {
        return words != null && !words.isEmpty();
    }

    Segment toSegment(int id) {
        List<WordTiming> timings = null;
        if (words != null) {
            timings = new ArrayList<>(words.size());
            for (Word w : words) {
                timings.add(new WordTiming(w.word, w.start, w.end, w.probability));
            }
        }
        return new Segment(id, seek, start, end, text, tokens, result.temperature(), result.avgLogprob(),
                result.compressionRatio(), result.noSpeechProb(), timings);
    }

    /**
     * Whisper's {@code get_end}: the end of the last word of the last segment that has words, else the end of the
     * last segment, else null.
     */
    static Double lastEnd(List<SegmentDraft> segments) {
        for (int s = segments.size() - 1; s >= 0; s--) {
            List<Word> w = segments.get(s).words;
            if (w != null && !w.isEmpty()) {
                return w.get(w.size() - 1).end;
            }
        }
        return segments.isEmpty() ? null : segments.get(segments.size() - 1).end;
    }
}
