package org.dqwhisper.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.dqwhisper.eval.ErrorRate;

/**
 * Is one demo system's test CER really below another's, or within the noise? Both systems are scored on the same
 * test utterances after training runs with the same seeds, so the comparison is paired twice over:
 * <ul>
 *   <li><b>training noise</b>: the CER difference {@code candidate - reference} for each seed, and how many seeds
 *       show the claimed direction;</li>
 *   <li><b>test-set noise</b>: a paired, language-stratified bootstrap over the test utterances. Each replicate
 *       draws, per language, as many utterances as the language has, with replacement (the same draw for both
 *       systems and every seed), recomputes each system's macro mean CER from the drawn utterances' character counts
 *       and averages the difference over the seeds. The 2.5 % and 97.5 % quantiles of {@value #REPLICATES}
 *       replicates give a 95 % interval.</li>
 * </ul>
 * A claim {@code candidate - reference < threshold} counts as <i>held beyond the noise</i> only when every seed
 * shows it and the whole interval lies below the threshold; <i>failed beyond the noise</i> when every seed and the
 * whole interval say the opposite; <i>no difference</i> when neither, and the interval lies within
 * ±{@link #EQUIVALENCE_MARGIN} (the systems are, in effect, the same); otherwise the difference is <i>within the
 * noise</i> (the test set cannot tell). The bootstrap random stream
 * has a fixed seed, so the same runs always give the same interval.
 */
public final class PairedComparison {
    /** Bootstrap replicates: the 2.5 % quantile then rests on 50 replicates, enough for a stable interval end. */
    public static final int REPLICATES = 2000;
    private static final long BOOTSTRAP_SEED = 0x5EEDL;
    /**
     * A difference whose whole interval lies within ±0.1 CER points is no difference: the paper reports CER to
     * 0.1 points, so nothing smaller is a claim about the method.
     */
    public static final double EQUIVALENCE_MARGIN = 0.001;

    public enum Verdict {
        HELD("held beyond the noise"), EQUIVALENT("no difference (interval within ±0.1 points)"), WITHIN_NOISE("within the noise"),
        FAILED("failed beyond the noise"), NO_DATA("no per-utterance data");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * One claim checked on paired runs; differences are CER fractions ({@code 0.01} = one point).
     *
     * @param claim      what is claimed, e.g. "dynamic < static"
     * @param candidate  the system claimed to be better (or within {@code threshold})
     * @param reference  the system it is compared with
     * @param threshold  the claim is {@code candidate - reference < threshold} (0: strictly better)
     * @param seeds      the seeds both systems ran, ascending
     * @param seedDiffs  {@code candidate - reference} mean CER per seed
     * @param low        2.5 % quantile of the bootstrap differences (NaN without per-utterance data)
     * @param high       97.5 % quantile (NaN without per-utterance data)
     */
    public record Result(String claim, String candidate, String reference, double threshold, int[] seeds, double[] seedDiffs, double low,
                         double high) {
        /** Mean over the seeds of {@code candidate - reference}. */
        public double meanDiff() {
            return Arrays.stream(seedDiffs).average().orElse(Double.NaN);
        }

        /** Seeds on which the claim holds. */
        public int seedsHeld() {
            return (int) Arrays.stream(seedDiffs).filter(d -> d < threshold).count();
        }

        public Verdict verdict() {
            if (Double.isNaN(low)) return Verdict.NO_DATA;
            if (seedsHeld() == seedDiffs.length && high < threshold) return Verdict.HELD;
            if (seedsHeld() == 0 && low > threshold) return Verdict.FAILED;
            if (Math.max(Math.abs(low), Math.abs(high)) <= EQUIVALENCE_MARGIN) return Verdict.EQUIVALENT;
            return Verdict.WITHIN_NOISE;
        }

        /** One Markdown table row: claim, mean difference, per seed, seeds held, interval, verdict (points). */
        String markdownRow() {
            StringBuilder per = new StringBuilder();
            for (double d : seedDiffs) per.append(per.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%+.2f", 100 * d));
            String interval = Double.isNaN(low) ? "–" : String.format(Locale.ROOT, "[%+.2f, %+.2f]", 100 * low, 100 * high);
            return String.format(Locale.ROOT, "| %s | %s − %s | %+.2f | %s | %d of %d | %s | %s |%n", claim, candidate, reference, 100 * meanDiff(),
                    per, seedsHeld(), seedDiffs.length, interval, verdict());
        }
    }

    private PairedComparison() {}

    /**
     * Compares two systems' runs, paired by seed. Both must have run the same seeds; where every run carries
     * per-utterance counts, they must be on the same test utterances (same languages and reference lengths, in the
     * same order), and the bootstrap interval is computed, else it is NaN.
     */
    public static Result compare(String claim, double threshold, List<DemoRun.SystemRun> candidate, List<DemoRun.SystemRun> reference) {
        if (candidate.isEmpty() || reference.isEmpty()) throw new IllegalArgumentException("paired comparison '" + claim + "': a system has no runs");
        String cName = candidate.get(0).system().name(), rName = reference.get(0).system().name();
        Map<Integer, DemoRun.SystemRun> bySeed = new LinkedHashMap<>();
        for (DemoRun.SystemRun r : reference) bySeed.put(r.seed(), r);
        List<DemoRun.SystemRun[]> pairs = new ArrayList<>();
        for (DemoRun.SystemRun c : candidate.stream().sorted((a, b) -> Integer.compare(a.seed(), b.seed())).toList()) {
            DemoRun.SystemRun r = bySeed.get(c.seed());
            if (r == null) throw new IllegalArgumentException("paired comparison '" + claim + "': " + rName + " has no run for seed " + c.seed());
            pairs.add(new DemoRun.SystemRun[] {c, r});
        }
        if (pairs.size() != reference.size()) {
            throw new IllegalArgumentException("paired comparison '" + claim + "': " + cName + " ran " + candidate.size() + " seed(s), " + rName + " "
                    + reference.size());
        }
        int[] seeds = new int[pairs.size()];
        double[] diffs = new double[pairs.size()];
        boolean perUtterance = true;
        for (int s = 0; s < pairs.size(); s++) {
            seeds[s] = pairs.get(s)[0].seed();
            diffs[s] = pairs.get(s)[0].scores().meanCer() - pairs.get(s)[1].scores().meanCer();
            perUtterance &= !pairs.get(s)[0].scores().utterances().isEmpty() && !pairs.get(s)[1].scores().utterances().isEmpty();
        }
        if (!perUtterance) return new Result(claim, cName, rName, threshold, seeds, diffs, Double.NaN, Double.NaN);
        double[] boot = bootstrap(claim, pairs);
        Arrays.sort(boot);
        return new Result(claim, cName, rName, threshold, seeds, diffs, boot[(int) Math.floor(0.025 * (boot.length - 1))],
                boot[(int) Math.ceil(0.975 * (boot.length - 1))]);
    }

    /** The bootstrap distribution of the seed-mean difference of macro mean CERs. */
    private static double[] bootstrap(String claim, List<DemoRun.SystemRun[]> pairs) {
        List<DemoEvaluator.UtteranceChars> first = pairs.get(0)[0].scores().utterances();
        int n = first.size();
        // language -> utterance indices, in first-seen order (the macro mean weighs languages equally)
        Map<String, List<Integer>> byLanguage = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) byLanguage.computeIfAbsent(first.get(i).language(), k -> new ArrayList<>()).add(i);
        int[][] groups = byLanguage.values().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        long[] refLen = new long[n];
        for (int i = 0; i < n; i++) refLen[i] = first.get(i).chars().referenceLength();
        int runs = 2 * pairs.size();
        long[][] errors = new long[runs][n];
        for (int s = 0; s < pairs.size(); s++) {
            for (int side = 0; side < 2; side++) {
                DemoRun.SystemRun r = pairs.get(s)[side];
                List<DemoEvaluator.UtteranceChars> u = r.scores().utterances();
                if (u.size() != n) {
                    throw new IllegalArgumentException("paired comparison '" + claim + "': " + r.system().name() + " seed " + r.seed() + " scored "
                            + u.size() + " test utterances, " + pairs.get(0)[0].system().name() + " seed " + pairs.get(0)[0].seed() + " " + n);
                }
                for (int i = 0; i < n; i++) {
                    ErrorRate.Counts c = u.get(i).chars();
                    if (!u.get(i).language().equals(first.get(i).language()) || c.referenceLength() != refLen[i]) {
                        throw new IllegalArgumentException("paired comparison '" + claim + "': test utterance " + i + " differs between "
                                + r.system().name() + " seed " + r.seed() + " (" + u.get(i).language() + ", " + c.referenceLength()
                                + " reference chars) and " + pairs.get(0)[0].system().name() + " (" + first.get(i).language() + ", " + refLen[i] + ")");
                    }
                    errors[2 * s + side][i] = c.errors();
                }
            }
        }
        SplittableRandom rng = new SplittableRandom(BOOTSTRAP_SEED);
        double[] out = new double[REPLICATES];
        long[] err = new long[runs];
        double[] mean = new double[runs];
        for (int b = 0; b < REPLICATES; b++) {
            Arrays.fill(mean, 0);
            for (int[] g : groups) {
                Arrays.fill(err, 0);
                long len = 0;
                for (int k = 0; k < g.length; k++) {
                    int i = g[rng.nextInt(g.length)];
                    len += refLen[i];
                    for (int r = 0; r < runs; r++) err[r] += errors[r][i];
                }
                // Counts.rate(): errors / reference length, or the insertions when the drawn references are empty
                for (int r = 0; r < runs; r++) mean[r] += (len == 0 ? err[r] : (double) err[r] / len) / groups.length;
            }
            double d = 0;
            for (int s = 0; s < pairs.size(); s++) d += mean[2 * s] - mean[2 * s + 1];
            out[b] = d / pairs.size();
        }
        return out;
    }

    /** The Markdown table of several results (header included). */
    public static String markdown(List<Result> results) {
        StringBuilder sb = new StringBuilder("| claim | difference | mean (points) | per seed | seeds where it holds | 95 % interval (test-set bootstrap) | verdict |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (Result r : results) sb.append(r.markdownRow());
        return sb.toString();
    }
}
