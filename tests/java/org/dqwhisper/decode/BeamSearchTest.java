package org.dqwhisper.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.dqwhisper.text.WhisperTokenizer;
import org.junit.jupiter.api.Test;

/**
 * Beam search against exhaustive search, and patience, on scripted models over a tiny active vocabulary (five text
 * tokens and end-of-text; every other token has logit -Infinity). No logit filters are active (no timestamps, no
 * suppression), so the model's distribution is the search space.
 */
class BeamSearchTest {
    static final WhisperTokenizer TOK = WhisperTokenizer.forVocabSize(51864);
    static final int V = TOK.vocabularySize();
    static final int EOT = TOK.eot();
    static final int[] TEXT = {100, 101, 102, 103, 104};
    /** Initial tokens of an English-only model without timestamps: sot, notimestamps. */
    static final int SAMPLE_BEGIN = 2;

    static DecodingOptions.Builder plain() {
        return DecodingOptions.builder().withoutTimestamps(true).suppressBlank(false).suppressTokens(null);
    }

    static DecodingResult decode(ToyModel model, DecodingOptions options) {
        try (AudioFeatures audio = model.encode(new float[model.nMels() * MelSource.WINDOW_FRAMES]);
                WindowDecoder decoder = new WindowDecoder(model, audio)) {
            return decoder.decode(options);
        } finally {
            assertEquals(0, model.liveSessions.get(), "decoder sessions leaked");
            assertEquals(0, model.liveAudio.get(), "audio features leaked");
        }
    }

    /** Deterministic pseudo-random logits in [-3, 3) for the six active tokens after {@code sampled}. */
    static float[] randomLogits(long seed, int[] sampled, int maxTextTokens) {
        float[] logits = ToyModel.filled(V, Float.NEGATIVE_INFINITY);
        if (sampled.length >= maxTextTokens) {
            logits[EOT] = 0; // forced end: every sequence finishes within maxTextTokens text tokens
            return logits;
        }
        long h = seed * 0x9E3779B97F4A7C15L + Arrays.hashCode(sampled) * 0xC2B2AE3D27D4EB4FL;
        for (int t : concat(TEXT, EOT)) {
            h = h * 6364136223846793005L + 1442695040888963407L + t;
            logits[t] = (float) (((h >>> 11) * 0x1.0p-53) * 6 - 3);
        }
        return logits;
    }

    private static int[] concat(int[] a, int b) {
        int[] c = Arrays.copyOf(a, a.length + 1);
        c[a.length] = b;
        return c;
    }

    private static ToyModel randomModel(long seed, int maxTextTokens) {
        return new ToyModel(TOK, (context, mel) -> {
            int[] sampled = Arrays.copyOfRange(context, Math.min(SAMPLE_BEGIN, context.length), context.length);
            return randomLogits(seed, sampled, maxTextTokens);
        });
    }

    /** Every sequence of up to {@code maxLen} text tokens followed by end-of-text, with its summed log-prob. */
    private static void enumerate(long seed, int[] prefix, double sum, int maxLen, List<int[]> seqs, List<Double> sums) {
        float[] logits = randomLogits(seed, prefix, maxLen);
        double[] logprobs = Softmax.logSoftmax(logits);
        if (logprobs[EOT] != Double.NEGATIVE_INFINITY) {
            seqs.add(prefix);
            sums.add(sum + logprobs[EOT]);
        }
        if (prefix.length < maxLen) {
            for (int t : TEXT) {
                enumerate(seed, concat(prefix, t), sum + logprobs[t], maxLen, seqs, sums);
            }
        }
    }

    @Test
    void wideBeamSearchFindsTheExhaustiveOptimum() {
        // 3 text tokens at most: 1 + 5 + 25 + 125 = 156 finished sequences. 126 beams never have to drop a live
        // prefix (at most 125 exist) and patience 2 allows 252 finished ones, so beam search must see all of them.
        // (each run decodes 156 full-vocabulary steps, so the seeds are few: plain length normalisation and alpha
        // 0.6 on three models each, the range ends 0 and 1 on one more)
        Object[][] runs = {{null, 1L}, {null, 2L}, {null, 3L}, {0.6, 1L}, {0.6, 2L}, {0.6, 3L}, {0.0, 4L}, {1.0, 4L}};
        for (Object[] run : runs) {
            Double alpha = (Double) run[0];
            long seed = (Long) run[1];
            {
                List<int[]> seqs = new ArrayList<>();
                List<Double> sums = new ArrayList<>();
                enumerate(seed, new int[0], 0, 3, seqs, sums);
                assertEquals(156, seqs.size());
                int best = new SequenceRanker(alpha).rank(seqs, sums);

                DecodingResult r = decode(randomModel(seed, 3),
                        plain().beamSize(126).patience(2.0).lengthPenalty(alpha).sampleLen(4).build());
                String where = "seed " + seed + ", length penalty " + alpha;
                assertArrayEquals(seqs.get(best), r.tokens(), where);
                // same additions in the same order: only last-bit differences could arise, none expected
                assertEquals(sums.get(best), r.sumLogprob(), 1e-12, where);
                assertEquals(sums.get(best) / (seqs.get(best).length + 1), r.avgLogprob(), 1e-12, where);
            }
        }
    }

    @Test
    void greedyFollowsTheArgmaxAndSumsItsLogProbabilities() {
        long seed = 11;
        DecodingResult r = decode(randomModel(seed, 3), plain().sampleLen(4).build());
        List<Integer> expected = new ArrayList<>();
        double sum = 0;
        int[] prefix = new int[0];
        while (true) {
            float[] logits = randomLogits(seed, prefix, 3);
            int next = Softmax.argmax(logits);
            sum += Softmax.logSoftmax(logits)[next];
            if (next == EOT) {
                break;
            }
            expected.add(next);
            prefix = concat(prefix, next);
        }
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), r.tokens());
        assertEquals(sum, r.sumLogprob(), 1e-12);
    }

    /**
     * A = 100, B = 101, C = 102, D = 103, E = 104. Probabilities: start A .6, B .4; after A: C .5, eot .5; after B:
     * D .5, eot .5; after AC: E .5, eot .5; after BD and ACE: eot 1. Mean log-probabilities of the finished
     * sequences: A -1.204, B -1.609, AC -0.948, BD -0.805, ACE -0.632 (the optimum).
     */
    private static ToyModel patienceModel() {
        Map<String, double[][]> next = Map.of(
                "", new double[][] {{100, .6}, {101, .4}},
                "100", new double[][] {{102, .5}, {EOT, .5}},
                "101", new double[][] {{103, .5}, {EOT, .5}},
                "100,102", new double[][] {{104, .5}, {EOT, .5}},
                "101,103", new double[][] {{EOT, 1}},
                "100,102,104", new double[][] {{EOT, 1}});
        return new ToyModel(TOK, (context, mel) -> {
            String key = context.length < SAMPLE_BEGIN ? "" : Arrays.toString(
                    Arrays.copyOfRange(context, SAMPLE_BEGIN, context.length)).replaceAll("[\\[\\] ]", "");
            float[] logits = ToyModel.filled(V, Float.NEGATIVE_INFINITY);
            for (double[] tp : next.getOrDefault(key, new double[][] {{EOT, 1}})) {
                logits[(int) tp[0]] = (float) Math.log(tp[1]);
            }
            return logits;
        });
    }

    @Test
    void patienceKeepsSearchingUntilRoundBeamTimesPatienceCandidatesFinished() {
        // beam 2, patience 1: finished A (step 1) and BD (step 2) end the search; BD wins. Patience 2 waits for
        // four: A, BD, AC, then ACE, the optimum.
        assertArrayEquals(new int[] {101, 103},
                decode(patienceModel(), plain().beamSize(2).patience(1.0).build()).tokens());
        assertArrayEquals(new int[] {100, 102, 104},
                decode(patienceModel(), plain().beamSize(2).patience(2.0).build()).tokens());
        assertArrayEquals(new int[] {101, 103}, decode(patienceModel(), plain().beamSize(2).build()).tokens(),
                "no patience means 1.0");
    }

    @Test
    void lengthPenaltyChangesTheRanking() {
        // Same model, beam 2, patience 2: candidates A, BD, AC, ACE with sums -1.204, -1.609, -1.897, -1.897.
        // alpha = 1 divides by (5 + len) / 6: A -1.204, BD -1.379, AC -1.626, ACE -1.423, so A wins.
        assertArrayEquals(new int[] {100},
                decode(patienceModel(), plain().beamSize(2).patience(2.0).lengthPenalty(1.0).build()).tokens());
    }

    @Test
    void maxCandidatesRoundsHalfToEvenLikePython() {
        assertEquals(2, BeamSearch.maxCandidates(5, 0.5)); // round(2.5) = 2
        assertEquals(2, BeamSearch.maxCandidates(3, 0.5)); // round(1.5) = 2
        assertEquals(5, BeamSearch.maxCandidates(5, null));
        assertEquals(8, BeamSearch.maxCandidates(4, 2.0));
    }

    @Test
    void topKOrdersByValueThenIndex() {
        assertArrayEquals(new int[] {2, 0, 3}, BeamSearch.topK(new float[] {1, 0, 5, 1, -1}, 3));
        assertArrayEquals(new int[] {1, 0}, BeamSearch.topK(new float[] {0, 2}, 5));
    }
}
