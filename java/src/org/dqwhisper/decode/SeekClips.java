package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * The mel-frame ranges {@code [start, end)} that long-form transcription walks through, from whisper's
 * {@code clip_timestamps} and optionally voice activity.
 *
 * <p><b>Clips</b> (whisper): the timestamps in seconds become frames ({@code round(ts * 100)}, half to even) and
 * pair up as {@code start, end}; an odd count ends at the end of the audio; none means "from 0". Unlike whisper,
 * clips are clamped to the audio and empty ones dropped (whisper would loop forever on a clip that starts after
 * the end).
 *
 * <p><b>Voice activity</b>: speech regions are turned into frames (start rounded down, end up), regions separated by
 * less than {@code maxMergeGap} seconds are joined (so short pauses stay inside one window, keeping the text
 * context and avoiding one encoder pass per phrase), and the result is intersected with the clips. The transcriber
 * then treats each piece exactly like a whisper clip: a window never reaches past the end of its piece (the rest of
 * the 30 s input is zero padding), seeking inside a piece follows the decoded timestamps as usual, and when a piece
 * is done the seek jumps to the start of the next one, so the silence between pieces is never decoded. Timestamps
 * stay relative to the original audio.
 */
public final class SeekClips {
    private SeekClips() {}

    /**
     * @param clipTimestamps whisper's clip timestamps in seconds
     * @param contentFrames frames of audio
     * @param speechRegions {@code [start, end]} seconds of speech, in any order, or null for no voice activity
     *     detection
     * @param maxMergeGap pauses shorter than this (seconds) between speech regions are transcribed with them
     * @return disjoint frame ranges {@code {start, end}} in order (for speech regions) or as given (clips only)
     */
    public static List<int[]> compute(List<Double> clipTimestamps, int contentFrames, List<double[]> speechRegions,
            double maxMergeGap) {
        List<int[]> clips = clips(clipTimestamps, contentFrames);
        if (speechRegions == null) {
            return clips;
        }
        return intersect(clips, speechFrames(speechRegions, contentFrames, maxMergeGap));
    }

    static List<int[]> clips(List<Double> clipTimestamps, int contentFrames) {
        List<Integer> points = new ArrayList<>();
        for (double ts : clipTimestamps) {
            points.add((int) Math.rint(ts * 100));
        }
        if (points.isEmpty()) {
            points.add(0);
        }
        if (points.size() % 2 == 1) {
            points.add(contentFrames);
        }
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < points.size(); i += 2) {
            int start = Math.min(points.get(i), contentFrames);
            int end = Math.min(points.get(i + 1), contentFrames);
            if (start < end) {
                out.add(new int[] {start, end});
            }
        }
        return out;
    }

    /** Speech regions in frames, sorted, clamped, with short gaps bridged. */
    static List<int[]> speechFrames(List<double[]> regions, int contentFrames, double maxMergeGap) {
        List<int[]> frames = new ArrayList<>();
        for (double[] r : regions) {
            int start = (int) Math.max(0, Math.min(contentFrames, Math.floor(r[0] * 100)));
            int end = (int) Math.max(0, Math.min(contentFrames, Math.ceil(r[1] * 100)));
            if (start < end) {
                frames.add(new int[] {start, end});
            }
        }
        frames.sort((a, b) -> Integer.compare(a[0], b[0]));
        int gapFrames = (int) Math.round(maxMergeGap * 100);
        List<int[]> merged = new ArrayList<>();
        for (int[] r : frames) {
            int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r[0] - last[1] < gapFrames) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(r.clone());
            }
        }
        return merged;
    }

    /** Every non-empty intersection of a clip with a speech range, clip by clip. */
    static List<int[]> intersect(List<int[]> clips, List<int[]> speech) {
        List<int[]> out = new ArrayList<>();
        for (int[] clip : clips) {
            for (int[] s : speech) {
                int start = Math.max(clip[0], s[0]);
                int end = Math.min(clip[1], s[1]);
                if (start < end) {
                    out.add(new int[] {start, end});
                }
            }
        }
        return out;
    }
}
