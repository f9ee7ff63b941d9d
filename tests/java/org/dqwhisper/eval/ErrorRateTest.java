package org.dqwhisper.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.dqwhisper.eval.ErrorRate.CharMode;
import org.dqwhisper.eval.ErrorRate.Counts;
import org.junit.jupiter.api.Test;

class ErrorRateTest {
    // rates are ratios of small integers computed in double; 1e-15 allows the last-bit rounding of the division only
    private static final double EPS = 1e-15;

    @Test
    void substitutionAndDeletion() {
        Counts c = ErrorRate.wordCounts("the cat sat on the mat", "the cat sit on mat");
        assertEquals(new Counts(4, 1, 1, 0), c);
        assertEquals(2.0 / 6, c.rate(), EPS);
    }

    @Test
    void emptyReferenceAndHypothesis() {
        assertEquals(Counts.ZERO, ErrorRate.wordCounts("", ""));
        assertEquals(0.0, ErrorRate.wordCounts("  ", "\n").rate());
        Counts onlyInsertions = ErrorRate.wordCounts("", "a b c");
        assertEquals(new Counts(0, 0, 0, 3), onlyInsertions);
        assertEquals(3.0, onlyInsertions.rate()); // jiwer 4: the number of insertions when the reference is empty
        Counts onlyDeletions = ErrorRate.wordCounts("a b c", "");
        assertEquals(new Counts(0, 0, 3, 0), onlyDeletions);
        assertEquals(1.0, onlyDeletions.rate());
    }

    @Test
    void insertionsCanPushWerAboveOne() {
        Counts c = ErrorRate.wordCounts("a", "x a y z");
        assertEquals(new Counts(1, 0, 0, 3), c);
        assertEquals(3.0, c.rate());
    }

    @Test
    void tiesPreferHitsOverSubstitutions() {
        // "a b" -> "b a": 2 substitutions or delete a, keep b, insert a; both 2 edits, the second has a hit
        assertEquals(new Counts(1, 0, 1, 1), ErrorRate.wordCounts("a b", "b a"));
        assertEquals(new Counts(0, 2, 0, 0), ErrorRate.wordCounts("a b", "c d"));
    }

    @Test
    void chineseCerCountsCharacters() {
        Counts c = ErrorRate.charCounts("今天天气很好", "今天天汽很好啊", CharMode.REMOVE_SPACES);
        assertEquals(new Counts(5, 1, 0, 1), c);
        assertEquals(2.0 / 6, c.rate(), EPS);
        // spaces inside CJK text are dropped with REMOVE_SPACES
        assertEquals(c, ErrorRate.charCounts("今天 天气 很好", "今 天天汽很好啊", CharMode.REMOVE_SPACES));
    }

    @Test
    void cerKeepsOrRemovesSpaces() {
        assertEquals(new Counts(4, 0, 1, 0), ErrorRate.charCounts(" ab cd ", "abcd", CharMode.KEEP_SPACES));
        assertEquals(new Counts(4, 0, 0, 0), ErrorRate.charCounts(" ab cd ", "abcd", CharMode.REMOVE_SPACES));
    }

    @Test
    void charactersAreCodePointsNotUtf16Units() {
        assertEquals(new Counts(1, 0, 1, 0), ErrorRate.charCounts("\ud83d\ude00a", "a", CharMode.KEEP_SPACES));
        assertEquals(List.of("\ud83d\ude00", "a"), ErrorRate.characters("\ud83d\ude00a", CharMode.KEEP_SPACES));
    }

    @Test
    void corpusRateIsTotalEditsOverTotalReferenceLength() {
        List<String> refs = List.of("a b c d", "e", "");
        List<String> hyps = List.of("a b c d", "f", "");
        // per-utterance rates 0, 1, 0 would average 1/3; the corpus rate is 1 edit / 5 words
        assertEquals(0.2, ErrorRate.wer(refs, hyps), EPS);
        assertEquals(new Counts(4, 1, 0, 0), ErrorRate.corpusWordCounts(refs, hyps));
        assertEquals(1.0 / 5, ErrorRate.cer(refs, hyps, CharMode.REMOVE_SPACES), EPS);
        assertThrows(IllegalArgumentException.class, () -> ErrorRate.wer(List.of("a"), List.of()));
    }

    @Test
    void matchesBruteForceOverAllAlignments() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 1500; trial++) {
            int[] ref = randomSeq(rnd, rnd.nextInt(6));
            int[] hyp = randomSeq(rnd, rnd.nextInt(6));
            long[] best = bruteForce(ref, 0, hyp, 0);
            Counts c = ErrorRate.align(ref, hyp);
            String what = java.util.Arrays.toString(ref) + " vs " + java.util.Arrays.toString(hyp);
            assertEquals(best[0], c.errors(), what);
            assertEquals(best[1], c.hits(), what);
            assertEquals(ref.length, c.referenceLength(), what);
            assertEquals(hyp.length, c.hypothesisLength(), what);
            // swapping the sides swaps deletions and insertions and nothing else
            Counts swapped = ErrorRate.align(hyp, ref);
            assertEquals(new Counts(c.hits(), c.substitutions(), c.insertions(), c.deletions()), swapped, what);
        }
    }

    private static int[] randomSeq(Random rnd, int n) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = rnd.nextInt(3);
        }
        return s;
    }

    /** {minimum edits, maximum hits among alignments with that minimum}, by trying every alignment path. */
    private static long[] bruteForce(int[] a, int i, int[] b, int j) {
        if (i == a.length && j == b.length) {
            return new long[] {0, 0};
        }
        long[] best = null;
        if (i < a.length && j < b.length) {
            long[] r = bruteForce(a, i + 1, b, j + 1);
            boolean hit = a[i] == b[j];
            best = better(best, new long[] {r[0] + (hit ? 0 : 1), r[1] + (hit ? 1 : 0)});
        }
        if (i < a.length) {
            long[] r = bruteForce(a, i + 1, b, j);
            best = better(best, new long[] {r[0] + 1, r[1]});
        }
        if (j < b.length) {
            long[] r = bruteForce(a, i, b, j + 1);
            best = better(best, new long[] {r[0] + 1, r[1]});
        }
        return best;
    }

    private static long[] better(long[] x, long[] y) {
        if (x == null) {
            return y;
        }
        return (y[0] < x[0] || (y[0] == x[0] && y[1] > x[1])) ? y : x;
    }
}
