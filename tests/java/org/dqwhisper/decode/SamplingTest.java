package org.dqwhisper.decode;

import static org.dqwhisper.decode.BeamSearchTest.EOT;
import static org.dqwhisper.decode.BeamSearchTest.SAMPLE_BEGIN;
import static org.dqwhisper.decode.BeamSearchTest.TOK;
import static org.dqwhisper.decode.BeamSearchTest.V;
import static org.dqwhisper.decode.BeamSearchTest.decode;
import static org.dqwhisper.decode.BeamSearchTest.plain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Temperature sampling: its distribution, its determinism per seed, and best-of-N selection. */
class SamplingTest {
    @Test
    void samplesFollowSoftmaxOfLogitsOverTemperature() {
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        int n = 200_000;
        // T = 1: the probabilities themselves; T = 0.5: proportional to p^2 (.25, .09, .04) / .38
        double[][] expected = {{0.5, 0.3, 0.2}, {0.25 / 0.38, 0.09 / 0.38, 0.04 / 0.38}};
        double[] temperatures = {1.0, 0.5};
        for (int k = 0; k < temperatures.length; k++) {
            SplittableRandom random = new SplittableRandom(7);
            int[] counts = new int[3];
            for (int i = 0; i < n; i++) {
                counts[TokenSampler.sample(logits, temperatures[k], random)]++;
            }
            for (int t = 0; t < 3; t++) {
                // binomial standard error is at most sqrt(.25 / 200000) = 0.0011; 0.005 is over 4 of them
                assertEquals(expected[k][t], counts[t] / (double) n, 0.005, "T=" + temperatures[k] + " token " + t);
            }
        }
    }

    @Test
    void suppressedTokensAreNeverDrawnAndAllSuppressedIsAnError() {
        float[] logits = {Float.NEGATIVE_INFINITY, 0, Float.NEGATIVE_INFINITY};
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            assertEquals(1, TokenSampler.sample(logits, 1.0, random));
        }
        float[] none = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertThrows(IllegalStateException.class, () -> TokenSampler.sample(none, 1.0, random));
    }

    /** Five equally likely text tokens (and a small end-of-text chance) at every step. */
    private static ToyModel flatModel() {
        return new ToyModel(TOK, (context, mel) -> {
            float[] logits = ToyModel.filled(V, Float.NEGATIVE_INFINITY);
            for (int t = 100; t < 105; t++) {
                logits[t] = 0;
            }
            logits[EOT] = context.length - SAMPLE_BEGIN >= 12 ? 5 : -3;
            return logits;
        });
    }

    @Test
    void sameSeedSameSamplesOtherSeedOtherSamples() {
        DecodingOptions a = plain().temperature(0.8).bestOf(3).seed(42).build();
        DecodingResult first = decode(flatModel(), a);
        DecodingResult again = decode(flatModel(), a);
        assertEquals(first, again);
        assertTrue(first.tokens().length >= 3, "sampled text expected, got " + first);
        DecodingResult other = decode(flatModel(), a.toBuilder().seed(43).build());
        // 12 tokens from 5 equally likely ones: equal by chance with probability about 5^-12
        assertFalse(java.util.Arrays.equals(first.tokens(), other.tokens()));
        assertEquals(0.8, first.temperature());
    }

    @Test
    void bestOfPicksTheMostLikelySample() {
        // member 0 of best-of-5 uses the same random stream as the single sample with the same seed, so the
        // winner of five can only score as well or better under the ranker
        SequenceRanker ranker = new SequenceRanker(null);
        for (long seed = 0; seed < 5; seed++) {
            DecodingResult one = decode(flatModel(), plain().temperature(1.0).seed(seed).build());
            DecodingResult five = decode(flatModel(), plain().temperature(1.0).bestOf(5).seed(seed).build());
            assertTrue(ranker.score(five.sumLogprob(), five.tokens().length)
                    >= ranker.score(one.sumLogprob(), one.tokens().length), "seed " + seed);
        }
    }

    @Test
    void greedyIgnoresTheSeed() {
        DecodingResult a = decode(flatModel(), plain().seed(1).build());
        DecodingResult b = decode(flatModel(), plain().seed(2).build());
        assertArrayEquals(a.tokens(), b.tokens());
        assertNotEquals(0, a.tokens().length);
    }

    @Test
    void whispersOptionChecks() {
        assertThrows(IllegalArgumentException.class, () -> plain().beamSize(5).bestOf(5).build());
        assertThrows(IllegalArgumentException.class, () -> plain().bestOf(5).build()); // best_of at T=0
        assertThrows(IllegalArgumentException.class, () -> plain().patience(2.0).build()); // without beam_size
        assertThrows(IllegalArgumentException.class, () -> plain().beamSize(5).lengthPenalty(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> plain().temperature(-0.1).build());
        assertThrows(IllegalArgumentException.class, () -> plain().beamSize(0).build());
        assertThrows(IllegalArgumentException.class, () -> plain().beamSize(1).patience(0.4).build()); // round(0.4)=0
        assertThrows(IllegalArgumentException.class, () -> plain().suppressTokens("a,b").build());
        assertThrows(IllegalArgumentException.class, () -> plain().sampleLen(0).build());
        assertThrows(IllegalArgumentException.class, () -> plain().maxInitialTimestamp(-1.0).build());
    }
}
