package org.dqwhisper.decode;

import static org.dqwhisper.decode.PlanModel.frameIndexMel;
import static org.dqwhisper.decode.PlanModel.ts;
import static org.dqwhisper.decode.TranscriberTest.FOUR;
import static org.dqwhisper.decode.TranscriberTest.ONE;
import static org.dqwhisper.decode.TranscriberTest.THREE;
import static org.dqwhisper.decode.TranscriberTest.TWO;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Word timing: the alignment on scripted attention, whisper's heuristics, and monotonic word times. */
class WordTimestampsTest {
    private static void assertWord(WordTiming w, String word, double start, double end) {
        assertEquals(word, w.word());
        assertEquals(start, w.start(), 1e-9, "start of " + w);
        assertEquals(end, w.end(), 1e-9, "end of " + w);
        assertTrue(w.probability() > 0.99, "token probability " + w);
    }

    private static TranscribeOptions words() {
        return TranscriberTest.options().wordTimestamps(true).build();
    }

    @Test
    void wordsFollowTheAttentionBlocks() {
        // text token k attends to audio positions [20 k, 20 k + 20), i.e. starts at 0.4 k s
        ToyModel model = PlanModel.create(Map.of(0, new int[] {ts(0), ONE, TWO, ts(0.8), ts(0.8), THREE, FOUR,
            ts(2.0)}), 10, 0);
        Transcription t = new Transcriber(model).transcribe(frameIndexMel(3000), words());
        List<Segment> s = t.segments();
        assertEquals(2, s.size());
        assertWord(s.get(0).words().get(0), " one", 0.0, 0.4);
        assertWord(s.get(0).words().get(1), " two", 0.4, 0.8);
        assertWord(s.get(1).words().get(0), " three", 0.8, 1.2);
        assertWord(s.get(1).words().get(1), " four", 1.2, 1.6);
        // segment 2 ended at 2.0 by its timestamp; its last word ends at 1.6 and is not too long, so 1.6 it is
        assertEquals(0.8, s.get(1).start(), 1e-9);
        assertEquals(1.6, s.get(1).end(), 1e-9);
        assertEquals(0, model.liveSessions.get());
        assertEquals(0, model.liveAudio.get());
    }

    @Test
    void theNextWindowStartsAtTheLastWordWhenTheWindowWasCut() {
        // window 0 ends with an unfinished segment: the pair gives seek 1.0 s, the last word ends at 0.8 s
        ToyModel model = PlanModel.create(Map.of(
                0, new int[] {ts(0), ONE, TWO, ts(1.0), ts(1.0), THREE},
                80, new int[] {ts(0), FOUR, ts(0.5)}), 10, 0);
        Transcription t = new Transcriber(model).transcribe(frameIndexMel(3000), words());
        List<Segment> s = t.segments();
        assertEquals(2, s.size());
        assertEquals(80, s.get(1).seek());
        assertEquals(0.8, s.get(0).end(), 1e-9, "segment end pulled to its last word");
        assertWord(s.get(1).words().get(0), " four", 0.8, 1.2);
        assertMonotonic(s);
    }

    static void assertMonotonic(List<Segment> segments) {
        double previousEnd = 0;
        for (Segment segment : segments) {
            assertTrue(segment.end() >= segment.start(), segment.toString());
            for (WordTiming w : segment.words()) {
                assertTrue(w.end() >= w.start(), "word ends before it starts: " + w);
                assertTrue(w.start() >= previousEnd, "word starts before the previous one ended: " + w);
                previousEnd = w.end();
            }
        }
    }

    private static AlignedWord aw(String word, double start, double end) {
        return new AlignedWord(word, new int[] {word.length()}, start, end, 1.0);
    }

    @Test
    void punctuationMergesIntoItsNeighbours() {
        List<AlignedWord> a = new ArrayList<>(List.of(aw(" (", 0, 1), aw("hello", 1, 2), aw(")", 2, 3),
                aw(" world", 3, 4), aw(".", 4, 5), aw("!", 5, 6)));
        WordTimestamps.mergePunctuations(a, WordTimestamps.PREPEND_PUNCTUATIONS, WordTimestamps.APPEND_PUNCTUATIONS);
        String[] words = a.stream().map(w -> w.word).toArray(String[]::new);
        assertArrayEquals(new String[] {"", " (hello)", "", " world.!", "", ""}, words);
        assertArrayEquals(new int[] {2, 5, 1}, a.get(1).tokens, "tokens travel with the text");
        assertEquals(1.0, a.get(1).start, "times stay with the word they merged into");
    }

    @Test
    void longWordsAtSentenceBoundariesAreCut() {
        List<AlignedWord> a = List.of(aw(" Hi", 0, 0.3), aw(".", 0.3, 2.0), aw(" So", 2.0, 4.0), aw(" we", 4.0, 4.2));
        WordTimestamps.truncateAtSentenceBoundaries(a, 0.8);
        assertEquals(1.1, a.get(1).end, 1e-12, "a long sentence end mark ends max_duration after its start");
        assertEquals(3.2, a.get(2).start, 1e-12, "a long word after a sentence end starts max_duration before its end");
        assertEquals(4.2, a.get(3).end, 1e-12);
    }

    @Test
    void firstWordAfterAPauseIsNotStretchedBackIntoTheSilence() {
        // after 5 s of silence the aligner gave the first word 3 s; median word 0.4 s, so at most 0.8 s
        SegmentDraft seg = new SegmentDraft(0, 5.0, 9.0, " late start", new int[0], null);
        List<SegmentDraft.Word> w = new ArrayList<>(List.of(new SegmentDraft.Word(" late", 5.0, 8.0, 0.9),
                new SegmentDraft.Word(" start", 8.0, 8.3, 0.9)));
        double last = WordTimestamps.fitSegmentBoundaries(seg, w, 0.0, 0.4, 0.8);
        assertEquals(7.2, w.get(0).start, 1e-12);
        assertEquals(7.2, seg.start, 1e-12, "the segment starts with its first word");
        assertEquals(8.3, seg.end, 1e-12);
        assertEquals(8.3, last, 1e-12);
    }

    @Test
    void monotonicRepairCutsOverlapsAndNeverEndsBeforeTheStart() {
        SegmentDraft a = new SegmentDraft(0, 0, 1.5, "", new int[0], null);
        a.words = new ArrayList<>(List.of(new SegmentDraft.Word(" a", 0.0, 1.0, 1), new SegmentDraft.Word(" b", 0.9,
                1.5, 1)));
        SegmentDraft b = new SegmentDraft(0, 1.4, 1.0, "", new int[0], null);
        b.words = new ArrayList<>(List.of(new SegmentDraft.Word(" c", 1.4, 1.3, 1)));
        double end = WordTimestamps.enforceMonotonic(List.of(a, b), 0.0);
        assertEquals(0.9, a.words.get(0).end, 1e-12, "overlap: the earlier word yields");
        assertEquals(1.4, a.words.get(1).end, 1e-12);
        assertEquals(1.4, b.words.get(0).start, 1e-12);
        assertEquals(1.4, b.words.get(0).end, 1e-12, "never ends before it starts");
        assertEquals(1.4, b.end, 1e-12, "segment end raised to its start");
        assertEquals(1.4, end, 1e-12);

        // a later window's first word cannot reach back before the last word so far
        SegmentDraft c = new SegmentDraft(100, 1.0, 3.0, "", new int[0], null);
        c.words = new ArrayList<>(List.of(new SegmentDraft.Word(" d", 1.2, 2.0, 1)));
        assertEquals(2.0, WordTimestamps.enforceMonotonic(List.of(c), 1.4), 1e-12);
        assertEquals(1.4, c.words.get(0).start, 1e-12);
    }

    @Test
    void pythonRounding() {
        assertEquals(0.12, WordTimestamps.round2(0.125), 1e-15, "0.125 is exactly half: to even");
        assertEquals(0.68, WordTimestamps.round2(0.675), 1e-15, "0.675 is 0.67500000000000004 in binary");
        assertEquals(2.67, WordTimestamps.round2(2.675), 1e-15, "2.675 is 2.67499999999999982 in binary");
        assertEquals(1.0, WordTimestamps.median(new double[] {3, 0.5, 1.5, 0.5}), 1e-15);
    }
}
