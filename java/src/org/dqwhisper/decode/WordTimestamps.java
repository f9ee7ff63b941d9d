package org.dqwhisper.decode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dqwhisper.text.normalize.PythonWhitespace;

/**
 * Whisper's {@code add_word_timestamps}: aligns the text of one window's segments with {@link WordAligner},
 * shortens implausibly long words, merges punctuation into neighbouring words, distributes the words over the
 * segments and reconciles word and segment times. {@link #enforceMonotonic} then guarantees what whisper's
 * heuristics do not: every word ends no earlier than it starts, and words never go back in time, also across
 * segments and windows.
 */
final class WordTimestamps {
    /** Whisper's default {@code prepend_punctuations}. */
    static final String PREPEND_PUNCTUATIONS = "\"'“¿([{-";
    /** Whisper's default {@code append_punctuations}. */
    static final String APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、";
    private static final String SENTENCE_END_MARKS = ".。!！?？";

    private WordTimestamps() {}

    /**
     * Adds words to every segment of one window (all sharing the window's {@code seek}) and updates segment times.
     *
     * @param numFrames mel frames of actual audio in the window (the segment size)
     * @param lastSpeechTimestamp end of the last word before this window, in seconds
     */
    static void add(List<SegmentDraft> segments, SpeechModel model, AudioFeatures audio, int[] sotSequence,
            int numFrames, String language, String prepend, String append, double lastSpeechTimestamp,
            int medianFilterWidth) {
        if (segments.isEmpty()) {
            return;
        }
        int eot = model.tokenizer().eot();
        List<int[]> textPerSegment = new ArrayList<>();
        int total = 0;
        for (SegmentDraft s : segments) {
            int[] text = Arrays.stream(s.tokens).filter(t -> t < eot).toArray();
            textPerSegment.add(text);
            total += text.length;
        }
        int[] allText = new int[total];
        int at = 0;
        for (int[] text : textPerSegment) {
            System.arraycopy(text, 0, allText, at, text.length);
            at += text.length;
        }
        List<AlignedWord> alignment = WordAligner.findAlignment(model, audio, sotSequence, allText, numFrames,
                language, medianFilterWidth);

        double[] durations = alignment.stream().mapToDouble(w -> w.end - w.start).filter(d -> d != 0).toArray();
        double medianDuration = Math.min(0.7, durations.length > 0 ? median(durations) : 0.0);
        double maxDuration = medianDuration * 2;

        if (durations.length > 0) {
            truncateAtSentenceBoundaries(alignment, maxDuration);
        }
        mergePunctuations(alignment, prepend, append);

        double timeOffset = segments.get(0).seek * 160 / 16000.0;
        int wordIndex = 0;
        for (int s = 0; s < segments.size(); s++) {
            SegmentDraft segment = segments.get(s);
            int segmentTokens = textPerSegment.get(s).length;
            int savedTokens = 0;
            List<SegmentDraft.Word> words = new ArrayList<>();
            while (wordIndex < alignment.size() && savedTokens < segmentTokens) {
                AlignedWord timing = alignment.get(wordIndex);
                if (!timing.word.isEmpty()) {
                    words.add(new SegmentDraft.Word(timing.word, round2(timeOffset + timing.start),
                            round2(timeOffset + timing.end), timing.probability));
                }
                savedTokens += timing.tokens.length;
                wordIndex++;
            }
            if (!words.isEmpty()) {
                lastSpeechTimestamp = fitSegmentBoundaries(segment, words, lastSpeechTimestamp, medianDuration,
                        maxDuration);
            }
            segment.words = words;
        }
    }

    /**
     * Whisper's long-word hack: a word (not the first) longer than {@code maxDuration} that is a sentence end mark
     * ends {@code maxDuration} after its start; one that follows a sentence end mark starts {@code maxDuration}
     * before its end. (Membership is a substring test, as in whisper.)
     */
    static void truncateAtSentenceBoundaries(List<AlignedWord> alignment, double maxDuration) {
        for (int i = 1; i < alignment.size(); i++) {
            AlignedWord w = alignment.get(i);
            if (w.end - w.start > maxDuration) {
                if (SENTENCE_END_MARKS.contains(w.word)) {
                    w.end = w.start + maxDuration;
                } else if (SENTENCE_END_MARKS.contains(alignment.get(i - 1).word)) {
                    w.start = w.end - maxDuration;
                }
            }
        }
    }

    /**
     * The segment-boundary heuristics of whisper: the first words after a pause longer than four median word
     * durations are cut to twice the median; the first word's start yields to the segment's start when the word
     * is too long, else the segment starts with its first word; likewise at the end. Returns the new last speech
     * time.
     */
    static double fitSegmentBoundaries(SegmentDraft segment, List<SegmentDraft.Word> words,
            double lastSpeechTimestamp, double medianDuration, double maxDuration) {
        SegmentDraft.Word first = words.get(0);
        SegmentDraft.Word second = words.size() > 1 ? words.get(1) : null;
        SegmentDraft.Word last = words.get(words.size() - 1);
        // the first and second word after a pause are at most twice the median word duration
        if (first.end - lastSpeechTimestamp > medianDuration * 4 && (first.end - first.start > maxDuration
                || (second != null && second.end - first.start > maxDuration * 2))) {
            if (second != null && second.end - second.start > maxDuration) {
                double boundary = Math.max(second.end / 2, second.end - maxDuration);
                first.end = boundary;
                second.start = boundary;
            }
            first.start = Math.max(0, first.end - maxDuration);
        }
        // prefer the segment-level start timestamp if the first word is too long
        if (segment.start < first.end && segment.start - 0.5 > first.start) {
            first.start = Math.max(0, Math.min(first.end - medianDuration, segment.start));
        } else {
            segment.start = first.start;
        }
        // prefer the segment-level end timestamp if the last word is too long
        if (segment.end > last.start && segment.end + 0.5 < last.end) {
            last.end = Math.max(last.start + medianDuration, segment.end);
        } else {
            segment.end = last.end;
        }
        return segment.end;
    }

    /**
     * Whisper's {@code merge_punctuations}: a word that is a space plus prepended punctuation joins the word after
     * it; a word that is appended punctuation joins the word before it (unless that one ends with a space). Merged
     * words are left empty, not removed. Membership is Python's substring test, as in whisper.
     */
    static void mergePunctuations(List<AlignedWord> alignment, String prepended, String appended) {
        int i = alignment.size() - 2;
        int j = alignment.size() - 1;
        while (i >= 0) {
            AlignedWord previous = alignment.get(i);
            AlignedWord following = alignment.get(j);
            if (previous.word.startsWith(" ") && prepended.contains(PythonWhitespace.strip(previous.word))) {
                following.word = previous.word + following.word;
                following.tokens = concat(previous.tokens, following.tokens);
                previous.word = "";
                previous.tokens = new int[0];
            } else {
                j = i;
            }
            i--;
        }
        i = 0;
        j = 1;
        while (j < alignment.size()) {
            AlignedWord previous = alignment.get(i);
            AlignedWord following = alignment.get(j);
            if (!previous.word.endsWith(" ") && appended.contains(following.word)) {
                previous.word = previous.word + following.word;
                previous.tokens = concat(previous.tokens, following.tokens);
                following.word = "";
                following.tokens = new int[0];
            } else {
                i = j;
            }
            j++;
        }
    }

    /**
     * Makes word times monotonic over one window's segments: each word ends no earlier than it starts and starts
     * no earlier than the previous word ended. A word that overlaps its predecessor in the same window cuts the
     * predecessor's end back to its own start when that keeps the predecessor non-negative (whisper's boundary
     * heuristics stretch ends more often than they pull starts back); otherwise, and always for the first word
     * of a window, the word's start moves forward. Segment ends are raised to their starts where needed.
     *
     * @param previousEnd end of the last word of earlier windows (0 at the start)
     * @return the end of the last word, or {@code previousEnd} when the window has none
     */
    static double enforceMonotonic(List<SegmentDraft> segments, double previousEnd) {
        SegmentDraft.Word previous = null;
        for (SegmentDraft segment : segments) {
            if (segment.words != null) {
                for (SegmentDraft.Word w : segment.words) {
                    if (w.start < previousEnd) {
                        if (previous != null && previous.start <= w.start) {
                            previous.end = w.start;
                        } else {
                            w.start = previousEnd;
                        }
                    }
                    w.end = Math.max(w.end, w.start);
                    previous = w;
                    previousEnd = w.end;
                }
            }
            segment.end = Math.max(segment.end, segment.start);
        }
        return previousEnd;
    }

    /** numpy's median: the middle value, or the mean of the two middle values. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Python's {@code round(x, 2)}: the exact binary value rounded half-to-even at two decimals. */
    static double round2(double x) {
        return new BigDecimal(x).setScale(2, RoundingMode.HALF_EVEN).doubleValue();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
