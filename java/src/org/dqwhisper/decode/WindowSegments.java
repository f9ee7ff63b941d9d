package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dqwhisper.text.WhisperTokenizer;

/**
 * How whisper's {@code transcribe()} cuts one window's tokens into segments and where the next window starts.
 *
 * <ul>
 *   <li>Two timestamps in a row end one segment and start the next. Each segment runs from its first to its last
 *       timestamp token.</li>
 *   <li>If the output ends with a single timestamp after text (no speech after it), the text after the last pair is
 *       a segment too, and the next window starts after this one (seek by the whole window).</li>
 *   <li>Otherwise the text after the last pair is an unfinished segment: it is dropped and the next window starts
 *       at the last pair's timestamp, so that speech is decoded again with its full context.</li>
 *   <li>Without a pair of timestamps, the whole output is one segment, ending at its last timestamp (unless that is
 *       {@code <|0.00|>}) or at the end of the window, and the next window starts after this one.</li>
 * </ul>
 * One guard is added: if the last pair is {@code <|0.00|><|0.00|>} (a zero advance, possible after an empty first
 * segment), the seek moves by the whole window instead of repeating the same window.
 */
final class WindowSegments {
    /** One segment's time span (seconds) and tokens. */
    record Piece(double start, double end, int[] tokens) {}

    /** The segments of a window, how far to move the seek (mel frames), and whether it ended on one timestamp. */
    record Split(List<Piece> pieces, int seekAdvance, boolean singleTimestampEnding) {}

    private WindowSegments() {}

    /**
     * @param timeOffset window start in seconds
     * @param timePrecision seconds per timestamp step (0.02)
     * @param inputStride mel frames per timestamp step (2)
     * @param segmentSize mel frames of audio in the window
     */
    static Split split(int[] tokens, WhisperTokenizer tokenizer, double timeOffset, double timePrecision,
            int inputStride, int segmentSize) {
        int tb = tokenizer.timestampBegin();
        int n = tokens.length;
        boolean[] isTs = new boolean[n];
        for (int i = 0; i < n; i++) {
            isTs[i] = tokens[i] >= tb;
        }
        boolean singleTimestampEnding = n >= 2 && !isTs[n - 2] && isTs[n - 1];
        List<Integer> consecutive = new ArrayList<>();
        for (int i = 0; i + 1 < n; i++) {
            if (isTs[i] && isTs[i + 1]) {
                consecutive.add(i + 1);
            }
        }
        List<Piece> pieces = new ArrayList<>();
        double segmentDuration = segmentSize * 160 / 16000.0;
        if (!consecutive.isEmpty()) {
            List<Integer> slices = new ArrayList<>(consecutive);
            if (singleTimestampEnding) {
                slices.add(n);
            }
            int lastSlice = 0;
            for (int current : slices) {
                int[] sliced = Arrays.copyOfRange(tokens, lastSlice, current);
                double start = timeOffset + stepsOf(sliced[0], tb) * timePrecision;
                double end = timeOffset + stepsOf(sliced[sliced.length - 1], tb) * timePrecision;
                pieces.add(new Piece(start, end, sliced));
                lastSlice = current;
            }
            int advance = singleTimestampEnding ? segmentSize : (tokens[lastSlice - 1] - tb) * inputStride;
            if (advance <= 0) {
                advance = segmentSize; // whisper would decode the same window again and again
            }
            return new Split(pieces, advance, singleTimestampEnding);
        }
        double duration = segmentDuration;
        int lastTimestamp = -1;
        for (int i = n - 1; i >= 0; i--) {
            if (isTs[i]) {
                lastTimestamp = tokens[i];
                break;
            }
        }
        if (lastTimestamp >= 0 && lastTimestamp != tb) {
            duration = (lastTimestamp - tb) * timePrecision;
        }
        pieces.add(new Piece(timeOffset, timeOffset + duration, tokens.clone()));
        return new Split(pieces, segmentSize, singleTimestampEnding);
    }

    /**
     * Timestamp steps of a segment's boundary token. Whisper assumes it is a timestamp; a text token there (which
     * the timestamp rules make impossible unless a prefix forced it) counts as 0 rather than a negative time.
     */
    private static int stepsOf(int token, int timestampBegin) {
        return Math.max(0, token - timestampBegin);
    }
}
