package org.dqwhisper.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.dqwhisper.text.WhisperTokenizer;
import org.junit.jupiter.api.Test;

/** Language identification: softmax over language tokens only, averaged over windows, used by decoding. */
class LanguageDetectorTest {
    private static final WhisperTokenizer TOK = WhisperTokenizer.forVocabSize(51865);
    private static final int V = TOK.vocabularySize();

    /**
     * After sot: a text token has by far the highest logit (must be masked); among languages de = 2 + m, en = 1,
     * fr = 0 and the other 96 at -Infinity, where m is the window's mel value (0 or 1).
     */
    private static ToyModel model() {
        return new ToyModel(TOK, (context, mel) -> {
            float[] logits = ToyModel.filled(V, -1f);
            logits[500] = 50;
            for (int t : TOK.allLanguageTokens()) {
                logits[t] = Float.NEGATIVE_INFINITY;
            }
            logits[TOK.languageToken("de")] = 2 + mel[0];
            logits[TOK.languageToken("en")] = 1;
            logits[TOK.languageToken("fr")] = 0;
            if (context[context.length - 1] != TOK.sot()) {
                logits[TOK.eot()] = 60; // decoding: stop at once
            }
            return logits;
        });
    }

    private static double[] softmax(double... x) {
        double z = 0;
        for (double v : x) {
            z += Math.exp(v);
        }
        double[] p = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            p[i] = Math.exp(x[i]) / z;
        }
        return p;
    }

    @Test
    void probabilitiesAreASoftmaxOverLanguageTokensOnly() {
        ToyModel m = model();
        LanguageProbabilities probs;
        try (AudioFeatures audio = m.encode(new float[2 * 3000])) {
            probs = LanguageDetector.detect(m, audio);
        }
        double[] expected = softmax(2, 1, 0);
        assertEquals(TOK.numLanguages(), probs.probabilities().size());
        assertEquals(expected[0], probs.probability("de"), 1e-12);
        assertEquals(expected[1], probs.probability("en"), 1e-12);
        assertEquals(expected[2], probs.probability("fr"), 1e-12);
        assertEquals(0.0, probs.probability("ja"));
        assertEquals("de", probs.best());
        assertEquals("en", probs.probabilities().keySet().iterator().next(), "token order");
    }

    @Test
    void severalWindowsAreAveraged() {
        // window 1 (frames 0..2999) has mel value 0, window 2 has 1: de logit 2 then 3
        int content = 4500;
        float[] mel = new float[2 * (content + 3000)];
        for (int band = 0; band < 2; band++) {
            for (int f = 3000; f < content + 3000; f++) {
                mel[band * (content + 3000) + f] = 1;
            }
        }
        MelSource source = MelSource.of(mel, 2, content + 3000, content);
        LanguageProbabilities probs = LanguageDetector.detect(model(), source, 0, 2);
        double[] w1 = softmax(2, 1, 0);
        double[] w2 = softmax(3, 1, 0);
        assertEquals((w1[0] + w2[0]) / 2, probs.probability("de"), 1e-12);
        assertEquals((w1[1] + w2[1]) / 2, probs.probability("en"), 1e-12);
        // asking for 5 windows of a 45 s recording uses the 2 that start inside it
        assertEquals(probs, LanguageDetector.detect(model(), source, 0, 5));
    }

    @Test
    void decodingDetectsTheLanguageWhenNoneIsGiven() {
        ToyModel m = model();
        try (AudioFeatures audio = m.encode(new float[2 * 3000]);
                WindowDecoder decoder = new WindowDecoder(m, audio)) {
            DecodingResult r = decoder.decode(DecodingOptions.builder().withoutTimestamps(true).suppressBlank(false)
                    .build());
            assertEquals("de", r.language());
            Map<String, Double> probs = r.languageProbs();
            assertEquals(softmax(2, 1, 0)[0], probs.get("de"), 1e-12);
            // the detected language token is written after sot
            int[] fed = m.prefills.get(1); // after the detection step's [sot]
            assertEquals(1, m.prefills.get(0).length);
            assertEquals(TOK.sot(), fed[0]);
            assertEquals(TOK.languageToken("de"), fed[1]);
            assertEquals(TOK.transcribe(), fed[2]);
            DecodingResult given = decoder.decode(DecodingOptions.builder().language("French")
                    .withoutTimestamps(true).build());
            assertEquals("fr", given.language());
            assertNull(given.languageProbs());
        }
        assertEquals(0, m.liveSessions.get());
        assertTrue(m.prefills.size() >= 2);
    }
}
