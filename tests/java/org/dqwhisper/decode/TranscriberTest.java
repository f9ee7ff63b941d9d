package org.dqwhisper.decode;

import static org.dqwhisper.decode.PlanModel.TOK;
import static org.dqwhisper.decode.PlanModel.frameIndexMel;
import static org.dqwhisper.decode.PlanModel.ts;
import static org.dqwhisper.decode.PlanModel.word;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Long-form seeking, prompts, clips and voice activity on synthetic windows. */
class TranscriberTest {
    static final int ONE = word(" one");
    static final int TWO = word(" two");
    static final int THREE = word(" three");
    static final int FOUR = word(" four");
    static final int FIVE = word(" five");
    static final int SIX = word(" six");
    static final int SEVEN = word(" seven");

    /** Window plans: mid-window cut, single-timestamp ending without pairs, with pairs, and a short last window. */
    static final Map<Integer, int[]> PLANS = Map.of(
            0, new int[] {ts(0), ONE, ts(2), ts(2), TWO, ts(5), ts(5), THREE},
            500, new int[] {ts(0), FOUR, ts(4)},
            3500, new int[] {ts(0), FIVE, ts(2), ts(2), SIX, ts(6)},
            6500, new int[] {ts(0), SEVEN, ts(1)});

    static TranscribeOptions.Builder options() {
        return TranscribeOptions.builder().decoding(DecodingOptions.builder().language("en").build());
    }

    private static void assertSegment(Segment s, int seek, double start, double end, String text) {
        assertEquals(seek, s.seek(), "seek of " + s);
        assertEquals(start, s.start(), 1e-9, "start of " + s);
        assertEquals(end, s.end(), 1e-9, "end of " + s);
        assertEquals(text, s.text());
    }

    @Test
    void seeksByTheLastTimestampPairOrByTheWholeWindow() {
        ToyModel model = PlanModel.create(PLANS, 10, 0);
        List<Integer> progress = new ArrayList<>();
        List<Integer> segmentIds = new ArrayList<>();
        Transcription t = new Transcriber(model).transcribe(frameIndexMel(9000), options().build(),
                new TranscriptionListener() {
                    @Override
                    public void progress(int done, int total) {
                        assertEquals(9000, total);
                        progress.add(done);
                    }

                    @Override
                    public void segment(Segment s) {
                        segmentIds.add(s.id());
                    }
                });
        List<Segment> s = t.segments();
        assertEquals(6, s.size());
        // window 0: two closed segments; " three" after the last pair is unfinished, so seek to 5.00 s
        assertSegment(s.get(0), 0, 0.0, 2.0, " one");
        assertSegment(s.get(1), 0, 2.0, 5.0, " two");
        // window at 5 s: no pair, last timestamp 4.00: one segment 5..9 s, then a whole window on
        assertSegment(s.get(2), 500, 5.0, 9.0, " four");
        // window at 35 s ends with a single timestamp: its last text is a segment too, whole window on
        assertSegment(s.get(3), 3500, 35.0, 37.0, " five");
        assertSegment(s.get(4), 3500, 37.0, 41.0, " six");
        // last window holds 25 s of audio
        assertSegment(s.get(5), 6500, 65.0, 66.0, " seven");
        assertEquals(List.of(500, 3500, 6500, 9000), progress);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), segmentIds);
        assertEquals(" one two four five six seven", t.text());
        assertEquals("en", t.language());
        assertTrue(Double.isNaN(t.languageProbability()));
        assertArrayEquals(new int[] {ts(0), ONE, ts(2)}, s.get(0).tokens());
        assertEquals(0, model.liveAudio.get());
        assertEquals(0, model.liveSessions.get());
        assertEquals(4, model.encodes.get());

        // window at 5 s was conditioned on everything so far: <|startofprev|>, tokens of window 0's segments, sot
        int[] prefill = model.prefills.get(1);
        assertArrayEquals(new int[] {TOK.sotPrev(), ts(0), ONE, ts(2), ts(2), TWO, ts(5), TOK.sot()}, prefill);
    }

    @Test
    void withoutConditioningOrAfterAHotWindowThePromptIsEmpty() {
        ToyModel plain = PlanModel.create(PLANS, 10, 0);
        new Transcriber(plain).transcribe(frameIndexMel(9000), options().conditionOnPreviousText(false).build());
        assertArrayEquals(new int[] {TOK.sot()}, plain.prefills.get(1));

        // a temperature above 0.5 resets the prompt (confidence 10 vs -10: sampling at 0.6 still follows the plan)
        ToyModel hot = PlanModel.create(PLANS, 10, 0);
        new Transcriber(hot).transcribe(frameIndexMel(9000), options().temperatures(List.of(0.6)).build());
        assertArrayEquals(new int[] {TOK.sot()}, hot.prefills.get(1));
        ToyModel warm = PlanModel.create(PLANS, 10, 0);
        new Transcriber(warm).transcribe(frameIndexMel(9000), options().temperatures(List.of(0.5)).build());
        assertEquals(TOK.sotPrev(), warm.prefills.get(1)[0]);
    }

    @Test
    void initialPromptLeadsTheFirstWindowAndIsLeftOutOfTheText() {
        ToyModel model = PlanModel.create(PLANS, 10, 0);
        Transcription t = new Transcriber(model).transcribe(frameIndexMel(9000),
                options().initialPrompt(" Numbers. ").build());
        int[] glossary = TOK.encode(" Numbers.");
        int[] first = model.prefills.get(0);
        assertEquals(TOK.sotPrev(), first[0]);
        assertArrayEquals(glossary, Arrays.copyOfRange(first, 1, 1 + glossary.length));
        assertEquals(" one two four five six seven", t.text());

        ToyModel carried = PlanModel.create(PLANS, 10, 0);
        new Transcriber(carried).transcribe(frameIndexMel(9000),
                options().initialPrompt("Numbers.").carryInitialPrompt(true).conditionOnPreviousText(false).build());
        for (int[] prefill : carried.prefills) {
            assertArrayEquals(glossary, Arrays.copyOfRange(prefill, 1, 1 + glossary.length));
        }
    }

    @Test
    void silentWindowsWithLowConfidenceAreSkipped() {
        // sot row: no-speech logit 13, planned <|0.00|> -5, the other 51862 tokens -10: p(no speech) = 0.995 > 0.6;
        // planned text at logit -5 against 51863 tokens at -10: log p = -5.9 per text token, far below -1
        ToyModel unsure = PlanModel.create(PLANS, -5, 13);
        Transcription skipped = new Transcriber(unsure).transcribe(frameIndexMel(9000), options().build());
        assertTrue(skipped.segments().isEmpty(), "every window is silence: " + skipped.segments());
        assertEquals(3, unsure.encodes.get(), "windows at 0, 30 and 60 s, each skipped whole");

        // confident text (avg logprob above -1) with p(no speech) = e^13 / (e^13 + e^10 + 51862 e^-10) = 0.95: kept
        ToyModel sure = PlanModel.create(PLANS, 10, 13);
        assertEquals(6, new Transcriber(sure).transcribe(frameIndexMel(9000), options().build()).segments().size());
    }

    @Test
    void clipTimestampsLimitTheWindows() {
        ToyModel model = PlanModel.create(PLANS, 10, 0);
        Transcription t = new Transcriber(model).transcribe(frameIndexMel(9000),
                options().clipTimestamps(TranscribeOptions.parseClipTimestamps("5,10")).build());
        assertEquals(1, model.encodes.get());
        assertEquals(1, t.segments().size());
        // the plan at 5 s ends at timestamp 4.00 inside the 5 s clip
        assertSegment(t.segments().get(0), 500, 5.0, 9.0, " four");
    }

    @Test
    void speechRegionsFromVoiceActivitySkipTheSilenceBetweenThem() {
        Map<Integer, int[]> plans = Map.of(
                50, new int[] {ts(0), ONE, ts(2), ts(2), TWO, ts(3)},
                4000, new int[] {ts(0), THREE, ts(4)});
        ToyModel model = PlanModel.create(plans, 10, 0);
        List<double[]> regions = List.of(new double[] {0.5, 1.8}, new double[] {2.2, 3.0},
                new double[] {40.0, 45.0});
        Transcription t = new Transcriber(model).transcribe(frameIndexMel(9000),
                options().speechRegions(regions).build());
        // 0.5-1.8 and 2.2-3.0 are joined (gap < 2 s): windows start at 0.5 s and 40 s only
        assertEquals(2, model.encodes.get());
        assertSegment(t.segments().get(0), 50, 0.5, 2.5, " one");
        assertSegment(t.segments().get(1), 50, 2.5, 3.5, " two");
        assertSegment(t.segments().get(2), 4000, 40.0, 44.0, " three");
    }

    @Test
    void windowInputIsTheMelSlicePaddedWithZeros() {
        MelSource mel = frameIndexMel(4000);
        float[] w = mel.window(3500, 500);
        assertEquals(2 * 3000, w.length);
        assertEquals(3500f, w[0]);
        assertEquals(3999f, w[499]);
        assertEquals(0f, w[500]);
        assertEquals(3500f, w[3000], "second band");
        assertThrows(IllegalArgumentException.class, () -> mel.frames(4000, 3001));
    }

    @Test
    void melBandsMustMatchTheModel() {
        ToyModel model = PlanModel.create(PLANS, 10, 0);
        MelSource wrong = MelSource.of(new float[3 * 3100], 3, 3100, 100);
        assertThrows(IllegalArgumentException.class,
                () -> new Transcriber(model).transcribe(wrong, options().build()));
    }

    @Test
    void noAudioNoSegments() {
        ToyModel model = PlanModel.create(PLANS, 10, 0);
        Transcription t = new Transcriber(model).transcribe(frameIndexMel(0), options().build());
        assertTrue(t.segments().isEmpty());
        assertEquals("", t.text());
        assertFalse(model.encodes.get() > 0);
    }
}
