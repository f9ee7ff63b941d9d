package org.dqwhisper.decode;

import java.util.List;

/**
 * Whisper's {@code hallucination_silence_threshold} logic (needs word timestamps). A segment is anomalous when its
 * first 8 non-punctuation words score at least 3, or about one point per word, where a word scores 1 for
 * probability below 0.15, {@code 15 x} its shortfall below 0.133 s, and its excess over 2 s. An anomalous segment
 * preceded and followed by silence longer than the threshold (or by the window edges, or by another anomaly) is
 * taken for a hallucination: the window is cut before it and the seek moves past the silence.
 */
final class HallucinationGuard {
    /** Whisper's punctuation list for this check (a substring test, as in whisper). */
    private static final String PUNCTUATION = "\"'“¿([{-\"'.。,，!！?？:：”)]}、";

    /** What to do with the window: the new seek, whether to drop it entirely, where to cut its segments. */
    record Decision(int seek, boolean skipWindow, int keepSegments) {}

    private HallucinationGuard() {}

    static Decision decide(List<SegmentDraft> current, double threshold, boolean singleTimestampEnding, int seek,
            int previousSeek, int segmentSize, double timeOffset, double windowEndTime, double segmentDuration,
            double lastSpeechTimestamp, double contentDuration, int contentFrames) {
        if (!singleTimestampEnding) {
            Double lastWordEnd = SegmentDraft.lastEnd(current);
            if (lastWordEnd != null && lastWordEnd > timeOffset) {
                double remaining = windowEndTime - lastWordEnd;
                seek = remaining > threshold ? (int) Math.rint(lastWordEnd * 100) : previousSeek + segmentSize;
            }
        }
        // if the first segment might be a hallucination, skip the leading silence
        SegmentDraft first = nextWithWords(current, 0);
        if (first != null && isAnomaly(first)) {
            double gap = first.start - timeOffset;
            if (gap > threshold) {
                return new Decision(previousSeek + (int) Math.rint(gap * 100), true, current.size());
            }
        }
        // skip silence before any possible hallucination surrounded by silence or more hallucinations
        double halLastEnd = lastSpeechTimestamp;
        for (int si = 0; si < current.size(); si++) {
            SegmentDraft segment = current.get(si);
            if (!segment.hasWords()) {
                continue;
            }
            if (isAnomaly(segment)) {
                SegmentDraft next = nextWithWords(current, si + 1);
                double halNextStart = next != null ? next.words.get(0).start : timeOffset + segmentDuration;
                boolean silenceBefore = segment.start - halLastEnd > threshold || segment.start < threshold
                        || segment.start - timeOffset < 2.0;
                boolean silenceAfter = halNextStart - segment.end > threshold || isAnomaly(next)
                        || windowEndTime - segment.end < 2.0;
                if (silenceBefore && silenceAfter) {
                    seek = (int) Math.rint(Math.max(timeOffset + 1, segment.start) * 100);
                    if (contentDuration - segment.end < threshold) {
                        seek = contentFrames;
                    }
                    return new Decision(seek, false, si);
                }
            }
            halLastEnd = segment.end;
        }
        return new Decision(seek, false, current.size());
    }

    static double wordAnomalyScore(SegmentDraft.Word word) {
        double duration = word.end - word.start;
        double score = 0;
        if (word.probability < 0.15) {
            score += 1.0;
        }
        if (duration < 0.133) {
            score += (0.133 - duration) * 15;
        }
        if (duration > 2.0) {
            score += duration - 2.0;
        }
        return score;
    }

    static boolean isAnomaly(SegmentDraft segment) {
        if (segment == null || !segment.hasWords()) {
            return false;
        }
        double score = 0;
        int counted = 0;
        for (SegmentDraft.Word w : segment.words) {
            if (PUNCTUATION.contains(w.word)) {
                continue;
            }
            if (counted == 8) {
                break;
            }
            score += wordAnomalyScore(w);
            counted++;
        }
        return score >= 3 || score + 0.01 >= counted;
    }

    private static SegmentDraft nextWithWords(List<SegmentDraft> segments, int from) {
        for (int i = from; i < segments.size(); i++) {
            if (segments.get(i).hasWords()) {
                return segments.get(i);
            }
        }
        return null;
    }
}
