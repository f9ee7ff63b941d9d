package org.dqwhisper.decode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Probability of each language code, in language-token order, from the decoder's first step after
 * {@code <|startoftranscript|>} with every non-language token masked (whisper's {@code detect_language}).
 */
public record LanguageProbabilities(Map<String, Double> probabilities) {
    public LanguageProbabilities {
        if (probabilities.isEmpty()) {
            throw new IllegalArgumentException("no languages");
        }
        probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
    }

    /** The most probable language (the first in token order on ties, as Python's {@code max(probs, key=...)}). */
    public String best() {
        String best = null;
        double bestP = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Double> e : probabilities.entrySet()) {
            if (e.getValue() > bestP) {
                best = e.getKey();
                bestP = e.getValue();
            }
        }
        return best != null ? best : probabilities.keySet().iterator().next();
    }

    /** Probability of {@code code}, 0 when absent. */
    public double probability(String code) {
        return probabilities.getOrDefault(code, 0.0);
    }

    /** The per-language mean over several windows (all must cover the same languages). */
    public static LanguageProbabilities average(List<LanguageProbabilities> windows) {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("nothing to average");
        }
        Map<String, Double> sum = new LinkedHashMap<>();
        for (LanguageProbabilities w : windows) {
            if (!w.probabilities.keySet().equals(windows.get(0).probabilities.keySet())) {
                throw new IllegalArgumentException("windows cover different language sets");
            }
            w.probabilities.forEach((code, p) -> sum.merge(code, p, Double::sum));
        }
        sum.replaceAll((code, p) -> p / windows.size());
        return new LanguageProbabilities(sum);
    }
}
