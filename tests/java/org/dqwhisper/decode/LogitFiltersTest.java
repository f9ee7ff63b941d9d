package org.dqwhisper.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dqwhisper.text.WhisperTokenizer;
import org.junit.jupiter.api.Test;

/** The three logit filters against hand-made logits whose filtered form is known. */
class LogitFiltersTest {
    private static final WhisperTokenizer TOK = WhisperTokenizer.forVocabSize(51864);
    private static final int V = TOK.vocabularySize();
    private static final int TB = TOK.timestampBegin();
    private static final int EOT = TOK.eot();
    private static final int[] INITIAL = {TOK.sot()};
    private static final float NEG = Float.NEGATIVE_INFINITY;

    /** Text and special tokens at 0, timestamps at -10 (total timestamp mass below any text token). */
    private static float[] zeros() {
        float[] l = new float[V];
        Arrays.fill(l, TB, V, -10f);
        return l;
    }

    private static int[] context(int... sampled) {
        int[] c = Arrays.copyOf(INITIAL, INITIAL.length + sampled.length);
        System.arraycopy(sampled, 0, c, INITIAL.length, sampled.length);
        return c;
    }

    /** Every entry is -Infinity where {@code masked} says so and unchanged elsewhere. */
    private static void assertOnlyMasked(float[] logits, java.util.function.IntPredicate masked) {
        float[] original = zeros();
        for (int i = 0; i < logits.length; i++) {
            assertEquals(masked.test(i) ? NEG : original[i], logits[i], "token " + i);
        }
    }

    @Test
    void suppressBlankMasksSpaceAndEotAtTheFirstSampledPositionOnly() {
        SuppressBlank filter = new SuppressBlank(TOK, INITIAL.length);
        int space = TOK.encode(" ")[0];
        float[] first = zeros();
        filter.apply(first, context());
        assertOnlyMasked(first, i -> i == space || i == EOT);
        float[] later = zeros();
        filter.apply(later, context(1000));
        assertOnlyMasked(later, i -> false);
    }

    @Test
    void suppressTokensResolvesMinusOneToNonSpeechPlusSpecials() {
        int[] resolved = SuppressTokens.resolve(TOK, "-1");
        int[] specials = {TOK.transcribe(), TOK.translate(), TOK.sot(), TOK.sotPrev(), TOK.sotLm(), TOK.noSpeech()};
        java.util.TreeSet<Integer> expected = new java.util.TreeSet<>();
        for (int t : TOK.nonSpeechTokens()) {
            expected.add(t);
        }
        for (int t : specials) {
            expected.add(t);
        }
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), resolved);
        assertArrayEquals(new int[] {5, 7, TOK.sot(), TOK.translate(), TOK.transcribe(), TOK.sotLm(), TOK.sotPrev(),
            TOK.noSpeech()}, sorted(SuppressTokens.resolve(TOK, "7, 5,7")));
        assertNull(SuppressTokens.resolve(TOK, ""), "empty spec: whisper installs no filter at all");
        assertNull(SuppressTokens.resolve(TOK, null));
        assertThrows(IllegalArgumentException.class, () -> SuppressTokens.resolve(TOK, "1,x"));
        assertThrows(IllegalArgumentException.class, () -> SuppressTokens.resolve(TOK, "-2"));
        assertThrows(IllegalArgumentException.class, () -> SuppressTokens.resolve(TOK, String.valueOf(V)));

        float[] logits = zeros();
        new SuppressTokens(new int[] {3, 9}).apply(logits, context());
        assertOnlyMasked(logits, i -> i == 3 || i == 9);
    }

    private static int[] sorted(int[] a) {
        int[] c = a.clone();
        Arrays.sort(c);
        return c;
    }

    private TimestampRules rules() {
        return new TimestampRules(TOK, INITIAL.length, 50); // max_initial_timestamp 1.0 s at 0.02 s per step
    }

    @Test
    void firstSampledTokenIsATimestampNoLaterThanTheMaxInitialTimestamp() {
        float[] logits = zeros();
        rules().apply(logits, context());
        // text and specials (notimestamps included) masked; <|0.00|>..<|1.00|> allowed; <|1.02|> on masked
        assertOnlyMasked(logits, i -> i < TB || i > TB + 50);
        float[] unlimited = zeros();
        new TimestampRules(TOK, INITIAL.length, null).apply(unlimited, context());
        assertOnlyMasked(unlimited, i -> i < TB);
    }

    @Test
    void aTimestampAtTheStartMustBeFollowedByText() {
        // [<|0.10|>]: penultimate counts as a timestamp (nothing before it), so no timestamp may follow
        float[] logits = zeros();
        rules().apply(logits, context(TB + 5));
        assertOnlyMasked(logits, i -> i >= TB || i == TOK.noTimestamps());
    }

    @Test
    void afterTextTheClosingTimestampMustBeStrictlyLater() {
        float[] logits = zeros();
        rules().apply(logits, context(TB + 5, 1000));
        assertOnlyMasked(logits, i -> (i >= TB && i <= TB + 5) || i == TOK.noTimestamps());
    }

    @Test
    void afterAClosingTimestampOnlyTimestampsFromItOnOrEotFollow() {
        float[] logits = zeros();
        rules().apply(logits, context(TB + 5, 1000, TB + 8));
        assertOnlyMasked(logits, i -> i < EOT || (i >= TB && i < TB + 8) || i == TOK.noTimestamps());
    }

    @Test
    void afterATimestampPairTextMustFollow() {
        float[] logits = zeros();
        rules().apply(logits, context(TB + 5, 1000, TB + 8, TB + 8));
        assertOnlyMasked(logits, i -> i >= TB || i == TOK.noTimestamps());
    }

    @Test
    void timestampsAreForcedWhenTheirTotalProbabilityBeatsEveryTextToken() {
        // allowed: text 1000 (p 0.4), timestamps 20 and 21 (p 0.3 each): 0.6 > 0.4, so text is masked
        float[] logits = ToyModel.filled(V, NEG);
        logits[1000] = (float) Math.log(0.4);
        logits[TB + 20] = (float) Math.log(0.3);
        logits[TB + 21] = (float) Math.log(0.3);
        rules().apply(logits, context(TB + 5, 1000, 1001));
        assertEquals(NEG, logits[1000]);
        assertEquals((float) Math.log(0.3), logits[TB + 20]);

        // 0.5 vs 0.25 + 0.25: not strictly larger, text stays
        float[] tie = ToyModel.filled(V, NEG);
        tie[1000] = (float) Math.log(0.5);
        tie[TB + 20] = (float) Math.log(0.25);
        tie[TB + 21] = (float) Math.log(0.25);
        rules().apply(tie, context(TB + 5, 1000, 1001));
        assertEquals((float) Math.log(0.5), tie[1000]);
        assertTrue(tie[TB + 20] > NEG);
    }

    @Test
    void timestampsAreOnlyCountedInTheSampledPart() {
        // a timestamp in the prompt (before sample_begin) must not constrain the sampled part
        int[] initial = {TB + 100, TOK.sot()};
        TimestampRules r = new TimestampRules(TOK, initial.length, null);
        float[] logits = zeros();
        r.apply(logits, new int[] {TB + 100, TOK.sot(), TB + 3, 1000});
        assertOnlyMasked(logits, i -> (i >= TB && i <= TB + 3) || i == TOK.noTimestamps());
    }
}
