package org.dqwhisper.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dqwhisper.text.normalize.PythonWhitespace;

/**
 * Word and character error rates by Levenshtein alignment, with the counts jiwer reports.
 *
 * <p><b>Units.</b> Words are the runs of non-whitespace (Python's {@code str.split()}). Characters are Unicode code
 * points (as Python iterates a {@code str}); {@link CharMode#KEEP_SPACES} strips the ends and keeps inner
 * whitespace as characters, exactly like jiwer's default {@code cer}; {@link CharMode#REMOVE_SPACES} drops all
 * whitespace first, the usual convention for Chinese/Japanese/Thai where spaces are not part of the reference
 * orthography. CJK text is scored per character either way (each ideograph is one code point).
 *
 * <p><b>Corpus aggregation.</b> Counts are summed over all utterance pairs and the rate is
 * (S + D + I) / (H + S + D), i.e. total edits over total reference length, as jiwer and Hugging Face
 * {@code evaluate} compute it (not a mean of per-utterance rates). When the total reference length is 0 the rate
 * is the number of insertions (jiwer 4's convention: 0 for silence correctly left empty).
 *
 * <p><b>Ties.</b> The alignment minimizes the number of edits; among alignments with that minimum it takes one with
 * the most hits (equivalently the fewest substitutions, e.g. "a b" vs "b a" is 1 deletion + 1 insertion, not 2
 * substitutions — the choice sclite's 3/3/4 weights also make). The dynamic program compares the pair
 * (edits, -hits) lexicographically, so the result does not depend on the order in which equal paths are visited.
 * The edit total and the rate never depend on this choice; only the split into S/D/I does (rapidfuzz, used by
 * jiwer, may split some ties differently).
 */
public final class ErrorRate {
    /** How characters are formed for CER. */
    public enum CharMode {
        /** Strip the ends, keep inner whitespace as characters (jiwer's {@code cer}). */
        KEEP_SPACES,
        /** Remove all whitespace (CJK convention). */
        REMOVE_SPACES
    }

    /**
     * Alignment counts of one utterance or a whole corpus.
     *
     * @param hits reference units matched exactly
     * @param substitutions reference units replaced by another unit
     * @param deletions reference units missing from the hypothesis
     * @param insertions hypothesis units with no reference counterpart
     */
    public record Counts(long hits, long substitutions, long deletions, long insertions) {
        public static final Counts ZERO = new Counts(0, 0, 0, 0);

        public Counts {
            if (hits < 0 || substitutions < 0 || deletions < 0 || insertions < 0) {
                throw new IllegalArgumentException("counts must be >= 0: " + hits + "/" + substitutions + "/"
                        + deletions + "/" + insertions);
            }
        }

        /** S + D + I. */
        public long errors() {
            return substitutions + deletions + insertions;
        }

        /** Reference length H + S + D. */
        public long referenceLength() {
            return hits + substitutions + deletions;
        }

        /** Hypothesis length H + S + I. */
        public long hypothesisLength() {
            return hits + substitutions + insertions;
        }

        /** errors / reference length; the number of insertions when the reference is empty. */
        public double rate() {
            long n = referenceLength();
            return n == 0 ? insertions : (double) errors() / n;
        }

        public Counts plus(Counts o) {
            return new Counts(hits + o.hits, substitutions + o.substitutions, deletions + o.deletions,
                    insertions + o.insertions);
        }
    }

    private ErrorRate() {}

    /** Aligns two sequences of units (words, characters, tokens) compared by {@code equals}. */
    public static <T> Counts align(List<T> reference, List<T> hypothesis) {
        Map<T, Integer> ids = new HashMap<>();
        int[] ref = new int[reference.size()];
        int[] hyp = new int[hypothesis.size()];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = ids.computeIfAbsent(reference.get(i), k -> ids.size());
        }
        for (int j = 0; j < hyp.length; j++) {
            hyp[j] = ids.computeIfAbsent(hypothesis.get(j), k -> ids.size());
        }
        return align(ref, hyp);
    }

    /**
     * Aligns two integer sequences. O(n*m) time, O(m) memory. Each cell keeps (edits, hits); S, D and I follow from
     * H + S + D = n, H + S + I = m and S + D + I = edits.
     */
    public static Counts align(int[] ref, int[] hyp) {
        int n = ref.length;
        int m = hyp.length;
        int[] prevEdits = new int[m + 1];
        int[] prevHits = new int[m + 1];
        int[] curEdits = new int[m + 1];
        int[] curHits = new int[m + 1];
        for (int j = 0; j <= m; j++) {
            prevEdits[j] = j;
        }
        for (int i = 1; i <= n; i++) {
            curEdits[0] = i;
            curHits[0] = 0;
            int r = ref[i - 1];
            for (int j = 1; j <= m; j++) {
                boolean match = r == hyp[j - 1];
                // diagonal: hit or substitution
                int bestEdits = prevEdits[j - 1] + (match ? 0 : 1);
                int bestHits = prevHits[j - 1] + (match ? 1 : 0);
                // deletion of ref[i-1]
                int e = prevEdits[j] + 1;
                int h = prevHits[j];
                if (e < bestEdits || (e == bestEdits && h > bestHits)) {
                    bestEdits = e;
                    bestHits = h;
                }
                // insertion of hyp[j-1]
                e = curEdits[j - 1] + 1;
                h = curHits[j - 1];
                if (e < bestEdits || (e == bestEdits && h > bestHits)) {
                    bestEdits = e;
                    bestHits = h;
                }
                curEdits[j] = bestEdits;
                curHits[j] = bestHits;
            }
            int[] t = prevEdits;
            prevEdits = curEdits;
            curEdits = t;
            t = prevHits;
            prevHits = curHits;
            curHits = t;
        }
        long edits = prevEdits[m];
        long hits = prevHits[m];
        long substitutions = n + m - 2 * hits - edits;
        return new Counts(hits, substitutions, n - hits - substitutions, m - hits - substitutions);
    }

    /** The words of {@code text}: runs of non-whitespace. */
    public static List<String> words(String text) {
        return PythonWhitespace.split(text);
    }

    /** The characters (code points, as strings) of {@code text} under {@code mode}. */
    public static List<String> characters(String text, CharMode mode) {
        String s = mode == CharMode.KEEP_SPACES ? PythonWhitespace.strip(text) : text;
        List<String> out = new ArrayList<>(s.length());
        s.codePoints().forEach(cp -> {
            if (mode == CharMode.KEEP_SPACES || !PythonWhitespace.isSpace(cp)) {
                out.add(new String(Character.toChars(cp)));
            }
        });
        return out;
    }

    /** Word-level counts of one utterance pair. */
    public static Counts wordCounts(String reference, String hypothesis) {
        return align(words(reference), words(hypothesis));
    }

    /** Character-level counts of one utterance pair. */
    public static Counts charCounts(String reference, String hypothesis, CharMode mode) {
        return align(characters(reference, mode), characters(hypothesis, mode));
    }

    /** Corpus WER counts: per-pair alignments summed. The lists must have the same size. */
    public static Counts corpusWordCounts(List<String> references, List<String> hypotheses) {
        requireSameSize(references, hypotheses);
        Counts total = Counts.ZERO;
        for (int k = 0; k < references.size(); k++) {
            total = total.plus(wordCounts(references.get(k), hypotheses.get(k)));
        }
        return total;
    }

    /** Corpus CER counts: per-pair alignments summed. The lists must have the same size. */
    public static Counts corpusCharCounts(List<String> references, List<String> hypotheses, CharMode mode) {
        requireSameSize(references, hypotheses);
        Counts total = Counts.ZERO;
        for (int k = 0; k < references.size(); k++) {
            total = total.plus(charCounts(references.get(k), hypotheses.get(k), mode));
        }
        return total;
    }

    /** Corpus word error rate. */
    public static double wer(List<String> references, List<String> hypotheses) {
        return corpusWordCounts(references, hypotheses).rate();
    }

    /** Corpus character error rate. */
    public static double cer(List<String> references, List<String> hypotheses, CharMode mode) {
        return corpusCharCounts(references, hypotheses, mode).rate();
    }

    private static void requireSameSize(List<String> references, List<String> hypotheses) {
        if (references.size() != hypotheses.size()) {
            throw new IllegalArgumentException("got " + references.size() + " references but " + hypotheses.size()
                    + " hypotheses; they must pair up one to one");
        }
    }
}
