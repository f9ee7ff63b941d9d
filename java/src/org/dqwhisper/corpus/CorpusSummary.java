package org.dqwhisper.corpus;

import java.util.Locale;
import java.util.Map;

/**
 * What a corpus run produced.
 *
 * @param utterances  per split
 * @param seconds     audio seconds per split
 * @param synthesized utterances spoken by the synthesizer in this run
 * @param reused      utterances taken from the cache
 * @param elapsedSeconds wall time of the run
 */
public record CorpusSummary(Map<Split, Integer> utterances, Map<Split, Double> seconds, int synthesized, int reused,
                            double elapsedSeconds) {
    public int totalUtterances() {
        return utterances.values().stream().mapToInt(Integer::intValue).sum();
    }

    public double totalSeconds() {
        return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** One line per split and a total, for the command line. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        for (Split split : Split.values()) {
            s.append(String.format(Locale.ROOT, "%-5s %5d utterances %8.1f s%n", split.fileStem(),
                utterances.getOrDefault(split, 0), seconds.getOrDefault(split, 0.0)));
        }
        s.append(String.format(Locale.ROOT, "total %5d utterances %8.1f s (%.1f min); %d synthesized, %d from cache,"
            + " %.1f s", totalUtterances(), totalSeconds(), totalSeconds() / 60, synthesized, reused, elapsedSeconds));
        return s.toString();
    }
}
