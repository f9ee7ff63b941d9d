package org.dqwhisper.demo;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.dqwhisper.distill.DynamicLayerMatcher.Mode;
import org.dqwhisper.eval.ErrorRate;
import org.dqwhisper.quant.QuantConfig;
import org.junit.jupiter.api.Test;

/**
 * Paired comparisons of demo systems on hand-made per-utterance counts whose answer is known: exact per-seed
 * differences, verdicts on clear wins, clear losses, ties and noise, the bootstrap interval against the normal
 * approximation of the same statistic, determinism, and refusals of unpaired data.
 */
class PairedComparisonTest {
    private static final DemoSystem A = new DemoSystem("A", DemoSystem.Kind.TRAINED, Mode.DYNAMIC, QuantConfig.NONE, null);
    private static final DemoSystem B = new DemoSystem("B", DemoSystem.Kind.TRAINED, Mode.STATIC, QuantConfig.NONE, null);

    /** One run: utterance i of language i % languages.length has {@code refLen} reference chars and errors(i) errors. */
    static DemoRun.SystemRun run(DemoSystem sys, int seed, String[] languages, int utterances, int refLen, IntUnaryOperator errors) {
        List<DemoEvaluator.UtteranceChars> each = new ArrayList<>();
        Map<String, ErrorRate.Counts> chars = new LinkedHashMap<>(), words = new LinkedHashMap<>();
        for (int i = 0; i < utterances; i++) {
            String lang = languages[i % languages.length];
            int e = errors.applyAsInt(i);
            // errors up to the reference length are substitutions, the rest insertions
            ErrorRate.Counts c = new ErrorRate.Counts(refLen - Math.min(e, refLen), Math.min(e, refLen), 0, Math.max(0, e - refLen));
            each.add(new DemoEvaluator.UtteranceChars(lang, c));
            chars.merge(lang, c, ErrorRate.Counts::plus);
            words.merge(lang, new ErrorRate.Counts(1, 0, 0, 0), ErrorRate.Counts::plus);
        }
        return new DemoRun.SystemRun(sys, seed, new DemoEvaluator.Scores(chars, words, List.of(), each), List.of(), 0, null, 0);
    }

    private static final String[] TWO = {"en", "zh"};

    @Test
    void aClearWinHoldsOnEverySeedAndBeyondTheNoise() {
        // A makes 2 errors in 20 chars on every utterance, B 4 (seed 1) or 5 (seed 2): 10 % vs 20 % / 25 %
        List<DemoRun.SystemRun> a = List.of(run(A, 1, TWO, 40, 20, i -> 2), run(A, 2, TWO, 40, 20, i -> 2));
        List<DemoRun.SystemRun> b = List.of(run(B, 2, TWO, 40, 20, i -> 5), run(B, 1, TWO, 40, 20, i -> 4)); // order does not matter
        PairedComparison.Result r = PairedComparison.compare("A < B", 0, a, b);
        assertArrayEquals(new int[] {1, 2}, r.seeds());
        assertArrayEquals(new double[] {-0.10, -0.15}, r.seedDiffs(), 1e-12);
        assertEquals(-0.125, r.meanDiff(), 1e-12);
        assertEquals(2, r.seedsHeld());
        // every utterance has the same difference, so every replicate gives exactly the mean
        assertEquals(-0.125, r.low(), 1e-12);
        assertEquals(-0.125, r.high(), 1e-12);
        assertEquals(PairedComparison.Verdict.HELD, r.verdict());
        assertTrue(PairedComparison.markdown(List.of(r)).contains("| A < B | A − B | -12.50 | -10.00, -15.00 | 2 of 2 | [-12.50, -12.50] | held beyond the noise |"),
                PairedComparison.markdown(List.of(r)));
        // the same data read the other way round fails beyond the noise
        assertEquals(PairedComparison.Verdict.FAILED, PairedComparison.compare("B < A", 0, b, a).verdict());
    }

    @Test
    void aTieIsNoDifferenceNotAFailure() {
        List<DemoRun.SystemRun> a = List.of(run(A, 1, TWO, 30, 10, i -> i % 4));
        List<DemoRun.SystemRun> b = List.of(run(B, 1, TWO, 30, 10, i -> i % 4));
        PairedComparison.Result r = PairedComparison.compare("A < B", 0, a, b);
        assertEquals(0, r.meanDiff());
        assertEquals(0, r.seedsHeld());
        assertEquals(0, r.low());
        assertEquals(0, r.high());
        assertEquals(PairedComparison.Verdict.EQUIVALENT, r.verdict());
        // one character more on a few utterances and one fewer on a few others (150 chars per language, so one
        // character is 0.67 points) is within the noise, not no difference: the interval reaches past +-0.1 points
        List<DemoRun.SystemRun> c = List.of(run(A, 1, TWO, 30, 10, i -> i % 4 + 1 + (i % 7 == 0 ? 1 : 0) - (i % 5 == 1 ? 1 : 0)));
        List<DemoRun.SystemRun> d = List.of(run(B, 1, TWO, 30, 10, i -> i % 4 + 1));
        PairedComparison.Result r2 = PairedComparison.compare("A < B", 0, c, d);
        assertTrue(r2.low() < -PairedComparison.EQUIVALENCE_MARGIN && r2.high() > PairedComparison.EQUIVALENCE_MARGIN, r2.low() + " .. " + r2.high());
        assertEquals(PairedComparison.Verdict.WITHIN_NOISE, r2.verdict());
    }

    @Test
    void aSmallShiftAmongLargeUtteranceNoiseIsWithinTheNoiseAndTheIntervalMatchesTheNormalApproximation() {
        // one language, 400 utterances of 50 chars; A - B errors per utterance: +d or -d at random, plus a small shift
        Random rnd = new Random(3);
        int n = 400, len = 50;
        int[] bErr = new int[n], aErr = new int[n];
        for (int i = 0; i < n; i++) {
            bErr[i] = 10 + rnd.nextInt(20);
            aErr[i] = bErr[i] + (rnd.nextBoolean() ? 6 : -6) + (i % 10 == 0 ? -1 : 0);
        }
        PairedComparison.Result r = PairedComparison.compare("A < B", 0, List.of(run(A, 1, new String[] {"en"}, n, len, i -> aErr[i])),
                List.of(run(B, 1, new String[] {"en"}, n, len, i -> bErr[i])));
        // independent reference: with equal reference lengths the CER difference is mean(d_i) / len, and its sampling
        // distribution is close to normal with standard error sd(d) / (len sqrt n)
        double mean = 0, sq = 0;
        for (int i = 0; i < n; i++) mean += (double) (aErr[i] - bErr[i]) / n;
        for (int i = 0; i < n; i++) sq += Math.pow(aErr[i] - bErr[i] - mean, 2) / (n - 1);
        double se = Math.sqrt(sq / n) / len;
        assertEquals(mean / len, r.meanDiff(), 1e-12);
        // 2000 replicates estimate a 2.5 % quantile to about +-0.1 standard errors; allow 0.25
        assertEquals(mean / len - 1.96 * se, r.low(), 0.25 * se);
        assertEquals(mean / len + 1.96 * se, r.high(), 0.25 * se);
        assertTrue(r.low() < 0 && r.high() > 0, r.low() + " .. " + r.high());
        assertEquals(PairedComparison.Verdict.WITHIN_NOISE, r.verdict());
        // deterministic: the same runs give the same interval
        PairedComparison.Result again = PairedComparison.compare("A < B", 0, List.of(run(A, 1, new String[] {"en"}, n, len, i -> aErr[i])),
                List.of(run(B, 1, new String[] {"en"}, n, len, i -> bErr[i])));
        assertEquals(r.low(), again.low());
        assertEquals(r.high(), again.high());
    }

    @Test
    void languagesWeighEquallyAsInTheMacroMean() {
        // en: A and B equal over 90 utterances; zh: A better by 1 error in 10 chars over 10 utterances.
        // Macro mean difference = (0 + (-0.1)) / 2 = -0.05, whatever the utterance counts per language.
        String[] langs = new String[100];
        for (int i = 0; i < 100; i++) langs[i] = i < 90 ? "en" : "zh";
        List<DemoRun.SystemRun> a = List.of(runOf(A, langs, i -> i < 90 ? 3 : 2)), b = List.of(runOf(B, langs, i -> 3));
        PairedComparison.Result r = PairedComparison.compare("A < B", 0, a, b);
        assertEquals(-0.05, r.meanDiff(), 1e-12);
        assertEquals(-0.05, r.low(), 1e-12); // constant within each language: the stratified bootstrap cannot move it
        assertEquals(-0.05, r.high(), 1e-12);
    }

    private static DemoRun.SystemRun runOf(DemoSystem sys, String[] languagePerUtterance, IntUnaryOperator errors) {
        List<DemoEvaluator.UtteranceChars> each = new ArrayList<>();
        Map<String, ErrorRate.Counts> chars = new LinkedHashMap<>();
        for (int i = 0; i < languagePerUtterance.length; i++) {
            ErrorRate.Counts c = new ErrorRate.Counts(10 - errors.applyAsInt(i), errors.applyAsInt(i), 0, 0);
            each.add(new DemoEvaluator.UtteranceChars(languagePerUtterance[i], c));
            chars.merge(languagePerUtterance[i], c, ErrorRate.Counts::plus);
        }
        return new DemoRun.SystemRun(sys, 1, new DemoEvaluator.Scores(chars, chars, List.of(), each), List.of(), 0, null, 0);
    }

    @Test
    void aThresholdClaimSuchAsW8WithinHalfAPoint() {
        // A is 0.2 points worse than B on every utterance (1 error more in 500 chars): within +0.5 beyond the noise
        List<DemoRun.SystemRun> a = List.of(run(A, 1, TWO, 20, 500, i -> 51)), b = List.of(run(B, 1, TWO, 20, 500, i -> 50));
        PairedComparison.Result r = PairedComparison.compare("W8 within +0.5", 0.005, a, b);
        assertEquals(0.002, r.meanDiff(), 1e-12);
        assertEquals(1, r.seedsHeld());
        assertEquals(PairedComparison.Verdict.HELD, r.verdict());
        assertEquals(PairedComparison.Verdict.FAILED, PairedComparison.compare("strictly better", 0, a, b).verdict());
    }

    @Test
    void withoutPerUtteranceCountsOnlyTheSeedsAreCompared() {
        List<DemoRun.SystemRun> a = List.of(new DemoRun.SystemRun(A, 1, DemoResultsTest.scores(10, 10), List.of(), 0, null, 0));
        List<DemoRun.SystemRun> b = List.of(new DemoRun.SystemRun(B, 1, DemoResultsTest.scores(20, 20), List.of(), 0, null, 0));
        PairedComparison.Result r = PairedComparison.compare("A < B", 0, a, b);
        assertEquals(-0.10, r.meanDiff(), 1e-12);
        assertTrue(Double.isNaN(r.low()) && Double.isNaN(r.high()));
        assertEquals(PairedComparison.Verdict.NO_DATA, r.verdict());
        assertTrue(PairedComparison.markdown(List.of(r)).contains("| 1 of 1 | – | no per-utterance data |"));
    }

    @Test
    void unpairedRunsAreRefusedByName() {
        List<DemoRun.SystemRun> a = List.of(run(A, 1, TWO, 10, 10, i -> 1), run(A, 2, TWO, 10, 10, i -> 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PairedComparison.compare("A < B", 0, a, List.of(run(B, 1, TWO, 10, 10, i -> 1), run(B, 3, TWO, 10, 10, i -> 1))));
        assertTrue(e.getMessage().contains("B has no run for seed 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PairedComparison.compare("A < B", 0, a.subList(0, 1),
                List.of(run(B, 1, TWO, 10, 10, i -> 1), run(B, 2, TWO, 10, 10, i -> 1))));
        assertTrue(e.getMessage().contains("A ran 1 seed(s), B 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PairedComparison.compare("A < B", 0, List.of(run(A, 1, TWO, 10, 10, i -> 1)), List.of(run(B, 1, TWO, 12, 10, i -> 1))));
        assertTrue(e.getMessage().contains("B seed 1 scored 12 test utterances, A seed 1 10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PairedComparison.compare("A < B", 0, List.of(run(A, 1, TWO, 10, 10, i -> 1)), List.of(run(B, 1, TWO, 10, 11, i -> 1))));
        assertTrue(e.getMessage().contains("test utterance 0 differs between B seed 1 (en, 11 reference chars) and A (en, 10)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PairedComparison.compare("A < B", 0, List.of(), a));
        assertTrue(e.getMessage().contains("a system has no runs"), e.getMessage());
    }
}
