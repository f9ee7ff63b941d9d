package org.dqwhisper.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.dqwhisper.eval.ErrorRate.CharMode;
import org.dqwhisper.eval.ErrorRate.Counts;
import org.dqwhisper.eval.TranscriptPairs.Pair;

/** Scores paired transcripts: optional normalization of both sides, then corpus WER or CER (see {@link ErrorRate}). */
public final class CorpusScore {
    /** What the error rate counts. */
    public enum Unit {
        WORD,
        CHAR
    }

    /**
     * A corpus score.
     *
     * @param unit words or characters
     * @param charMode how whitespace is treated for {@link Unit#CHAR}; {@code null} for words
     * @param normalization the normalizer's name ("basic", "none")
     * @param counts summed alignment counts
     * @param utterances number of scored pairs
     */
    public record Result(Unit unit, CharMode charMode, String normalization, Counts counts, int utterances) {
        /** "wer" or "cer". */
        public String metric() {
            return unit == Unit.WORD ? "wer" : "cer";
        }

        /** The corpus error rate (see {@link Counts#rate()}). */
        public double rate() {
            return counts.rate();
        }

        /** One line for people: {@code WER 12.50% (3 errors / 24 reference words: S=1 D=1 I=1, H=22; ...)}. */
        public String summary() {
            String what = unit == Unit.WORD ? "words" : "characters";
            return String.format(Locale.ROOT,
                    "%s %.2f%% (%d errors / %d reference %s: S=%d D=%d I=%d, H=%d; %d utterances; normalize=%s%s)",
                    metric().toUpperCase(Locale.ROOT), 100 * rate(), counts.errors(), counts.referenceLength(), what,
                    counts.substitutions(), counts.deletions(), counts.insertions(), counts.hits(), utterances,
                    normalization, charMode == null ? "" : "; spaces=" + spacesName());
        }

        /** The fields as an ordered map, for JSON output. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("metric", metric());
            m.put("rate", rate());
            m.put("errors", counts.errors());
            m.put("substitutions", counts.substitutions());
            m.put("deletions", counts.deletions());
            m.put("insertions", counts.insertions());
            m.put("hits", counts.hits());
            m.put("reference_length", counts.referenceLength());
            m.put("hypothesis_length", counts.hypothesisLength());
            m.put("utterances", utterances);
            m.put("normalize", normalization);
            if (charMode != null) {
                m.put("spaces", spacesName());
            }
            return m;
        }

        private String spacesName() {
            return charMode == CharMode.KEEP_SPACES ? "keep" : "remove";
        }
    }

    private CorpusScore() {}

    /**
     * @param normalizer applied to both sides first, or {@code null} for none
     * @param normalization the normalizer's name, for the report
     * @param charMode whitespace handling for {@link Unit#CHAR} (ignored for words)
     */
    public static Result score(List<Pair> pairs, UnaryOperator<String> normalizer, String normalization, Unit unit,
            CharMode charMode) {
        Objects.requireNonNull(unit, "unit");
        UnaryOperator<String> norm = normalizer == null ? UnaryOperator.identity() : normalizer;
        Counts total = Counts.ZERO;
        for (Pair p : pairs) {
            String ref = norm.apply(p.reference());
            String hyp = norm.apply(p.hypothesis());
            total = total.plus(unit == Unit.WORD ? ErrorRate.wordCounts(ref, hyp)
                    : ErrorRate.charCounts(ref, hyp, Objects.requireNonNull(charMode, "charMode")));
        }
        return new Result(unit, unit == Unit.WORD ? null : charMode, normalization, total, pairs.size());
    }
}
