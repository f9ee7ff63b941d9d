package org.dqwhisper.decode;

import static org.dqwhisper.decode.PlanModel.TOK;
import static org.dqwhisper.decode.PlanModel.ts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Window segmentation, clip ranges and the hallucination checks on hand-made inputs. */
class SegmentationRulesTest {
    private static final int A = PlanModel.word(" a");

    @Test
    void windowSplitting() {
        WindowSegments.Split cut = WindowSegments.split(new int[] {ts(0), A, ts(1), ts(1), A, ts(3), ts(3), A}, TOK,
                10.0, 0.02, 2, 3000);
        assertEquals(2, cut.pieces().size());
        assertEquals(10.0, cut.pieces().get(0).start(), 1e-12);
        assertEquals(11.0, cut.pieces().get(0).end(), 1e-12);
        assertEquals(13.0, cut.pieces().get(1).end(), 1e-12);
        assertEquals(300, cut.seekAdvance(), "to the last pair: 3.00 s = 150 steps of 2 frames");
        assertFalse(cut.singleTimestampEnding());

        WindowSegments.Split single = WindowSegments.split(new int[] {ts(0), A, ts(1), ts(1), A, ts(3)}, TOK, 0, 0.02,
                2, 2500);
        assertTrue(single.singleTimestampEnding());
        assertEquals(2500, single.seekAdvance());
        assertArrayEquals(new int[] {ts(1), A, ts(3)}, single.pieces().get(1).tokens());

        // one lone timestamp is not a "single timestamp ending" (whisper compares the last two tokens)
        WindowSegments.Split lone = WindowSegments.split(new int[] {ts(0)}, TOK, 0, 0.02, 2, 3000);
        assertFalse(lone.singleTimestampEnding());
        assertEquals(30.0, lone.pieces().get(0).end(), 1e-12, "<|0.00|> alone: the whole window");

        // no timestamps at all (without_timestamps): one segment over the audio of the window
        WindowSegments.Split text = WindowSegments.split(new int[] {A, A}, TOK, 5, 0.02, 2, 1000);
        assertEquals(15.0, text.pieces().get(0).end(), 1e-12);
        assertEquals(1000, text.seekAdvance());

        // <|0.00|><|0.00|> as the last pair would not move the seek: the whole window is skipped instead
        WindowSegments.Split stuck = WindowSegments.split(new int[] {ts(0), ts(0), A}, TOK, 0, 0.02, 2, 3000);
        assertEquals(3000, stuck.seekAdvance());
    }

    @Test
    void clipRanges() {
        assertEquals(List.of(List.of(0, 9000)), ranges(SeekClips.compute(List.of(0.0), 9000, null, 2)));
        assertEquals(List.of(List.of(500, 1000), List.of(2000, 9000)),
                ranges(SeekClips.compute(List.of(5.0, 10.0, 20.0), 9000, null, 2)), "odd count ends at the end");
        assertEquals(List.of(List.of(8000, 9000)),
                ranges(SeekClips.compute(List.of(80.0, 120.0, 95.0), 9000, null, 2)), "clamped, empty dropped");
        assertEquals(List.of(List.of(0, 9000)), ranges(SeekClips.compute(List.of(), 9000, null, 2)));
        assertEquals(List.of(List.of(12, 38)), ranges(SeekClips.compute(List.of(0.125, 0.375), 9000, null, 2)),
                "frames round half to even");
        // speech [1, 2] and [2.5, 4] join (gap 0.5 s < 1 s), [10, 11] stays apart; intersected with clip 1.5..30
        List<double[]> speech = List.of(new double[] {10, 11}, new double[] {1, 2}, new double[] {2.5, 4});
        assertEquals(List.of(List.of(150, 400), List.of(1000, 1100)),
                ranges(SeekClips.compute(List.of(1.5, 30.0), 9000, speech, 1.0)));
        assertEquals(List.of(), ranges(SeekClips.compute(List.of(0.0), 9000, List.of(), 1.0)), "no speech at all");
    }

    private static List<List<Integer>> ranges(List<int[]> r) {
        List<List<Integer>> out = new ArrayList<>();
        for (int[] x : r) {
            out.add(List.of(x[0], x[1]));
        }
        return out;
    }

    private static SegmentDraft segment(double start, double end, double probability, String... words) {
        SegmentDraft s = new SegmentDraft(0, start, end, String.join("", words), new int[0], null);
        s.words = new ArrayList<>();
        double step = (end - start) / words.length;
        for (int i = 0; i < words.length; i++) {
            s.words.add(new SegmentDraft.Word(words[i], start + i * step, start + (i + 1) * step, probability));
        }
        return s;
    }

    @Test
    void anomalyScore() {
        assertTrue(HallucinationGuard.isAnomaly(segment(0, 1.5, 0.1, " a", " b", " c")), "3 improbable words");
        assertFalse(HallucinationGuard.isAnomaly(segment(0, 1.5, 0.9, " a", " b", " c")));
        // 0.05 s per word: each scores (0.133 - 0.05) x 15 = 1.245, so two words reach 2.49 >= 2 - 0.01
        assertTrue(HallucinationGuard.isAnomaly(segment(0, 0.1, 0.9, " a", " b")));
        // a 6 s word scores 4
        assertTrue(HallucinationGuard.isAnomaly(segment(0, 6, 0.9, " long")));
        // punctuation words are left out; with nothing left, whisper's test (0 + 0.01 >= 0) holds
        assertTrue(HallucinationGuard.isAnomaly(segment(0, 1, 0.9, ",")));
        assertFalse(HallucinationGuard.isAnomaly(null));
    }

    @Test
    void anIsolatedHallucinationIsCutAndSkipped() {
        // window 0..30 s of 60 s: speech 0..2 s, then an improbable segment at 20..21 s with silence around it
        List<SegmentDraft> current = new ArrayList<>(List.of(segment(0, 2, 0.9, " real", " words"),
                segment(20, 21, 0.05, " thank", " you", " all")));
        HallucinationGuard.Decision d = HallucinationGuard.decide(current, 2.0, true, 3000, 0, 3000, 0, 30, 30, 0, 60,
                6000);
        assertEquals(1, d.keepSegments());
        assertFalse(d.skipWindow());
        assertEquals(2000, d.seek(), "resume at the hallucination's start");

        // the same segment first in the window after 5 s of silence: the window is dropped, seek past the gap
        List<SegmentDraft> first = new ArrayList<>(List.of(segment(5, 6, 0.05, " thank", " you", " all")));
        HallucinationGuard.Decision skip = HallucinationGuard.decide(first, 2.0, true, 3000, 0, 3000, 0, 30, 30, 0,
                60, 6000);
        assertTrue(skip.skipWindow());
        assertEquals(500, skip.seek());

        // ordinary speech passes untouched
        List<SegmentDraft> fine = new ArrayList<>(List.of(segment(0, 2, 0.9, " real", " words")));
        HallucinationGuard.Decision keep = HallucinationGuard.decide(fine, 2.0, true, 3000, 0, 3000, 0, 30, 30, 0, 60,
                6000);
        assertEquals(1, keep.keepSegments());
        assertEquals(3000, keep.seek());
    }
}
