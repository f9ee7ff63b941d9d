package org.dqwhisper.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dqwhisper.text.WhisperTokenizer;
import org.junit.jupiter.api.Test;

/** Temperature fallback: which results trigger it, and that the schedule is walked until one passes. */
class FallbackTest {
    private static final WhisperTokenizer TOK = WhisperTokenizer.forVocabSize(51864);
    private static final int V = TOK.vocabularySize();
    private static final String[] WORDS = {" the", " cat", " sat", " on", " a", " red", " mat", " today"};

    private static DecodingResult result(double compressionRatio, double avgLogprob, double noSpeechProb) {
        return new DecodingResult(new int[0], "", avgLogprob, avgLogprob, noSpeechProb, 0, compressionRatio, "en",
                null);
    }

    @Test
    void fallbackRules() {
        TranscribeOptions o = TranscribeOptions.builder().build(); // 2.4, -1.0, 0.6
        assertFalse(Transcriber.needsFallback(result(2.4, -1.0, 0.0), o), "thresholds themselves pass");
        assertTrue(Transcriber.needsFallback(result(2.41, -0.5, 0.0), o), "too repetitive");
        assertTrue(Transcriber.needsFallback(result(1.5, -1.01, 0.0), o), "too unlikely");
        assertFalse(Transcriber.needsFallback(result(1.5, -1.01, 0.61), o), "silence: no retry");
        assertTrue(Transcriber.needsFallback(result(3.0, -0.5, 0.9), o), "confident repetition is retried");
        TranscribeOptions off = TranscribeOptions.builder().compressionRatioThreshold(null).logprobThreshold(null)
                .build();
        assertFalse(Transcriber.needsFallback(result(9, -9, 0), off));
    }

    /**
     * After sot: the first {@code count} of {@link #WORDS}, " the" with logit {@code bias} and the others 0,
     * end-of-text (certain) after 12 words; no-speech at the sot position with logit {@code noSpeech} (others 0).
     */
    private static ToyModel wordsModel(int count, float bias, float noSpeech) {
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = PlanModel.word(WORDS[i]);
        }
        return new ToyModel(TOK, (context, mel) -> {
            if (context[context.length - 1] == TOK.sot()) {
                float[] logits = new float[V];
                logits[TOK.noSpeech()] = noSpeech;
                return logits;
            }
            float[] logits = ToyModel.filled(V, Float.NEGATIVE_INFINITY);
            if (context.length - 2 >= 12) {
                logits[TOK.eot()] = 0;
                return logits;
            }
            for (int id : ids) {
                logits[id] = 0;
            }
            logits[ids[0]] = bias;
            return logits;
        });
    }

    private static DecodingResult run(ToyModel model, TranscribeOptions o) {
        try (AudioFeatures audio = model.encode(new float[2 * 3000]);
                WindowDecoder decoder = new WindowDecoder(model, audio)) {
            return Transcriber.decodeWithFallback(decoder, o, "en", new int[0], 0);
        } finally {
            assertEquals(0, model.liveSessions.get());
        }
    }

    private static TranscribeOptions.Builder options() {
        return TranscribeOptions.builder().decoding(DecodingOptions.builder().withoutTimestamps(true).build());
    }

    @Test
    void repetitiveGreedyOutputFallsBackToSampling() {
        // two words, " the" ahead by 0.1: greedy repeats it twelve times (compression ratio far above 2.4). At
        // T = 0.2 the lead is worth 0.5, so " cat" has probability 0.38 per word and the sample mixes them; both
        // words keep log-probability about -0.7, above the -1 threshold.
        ToyModel model = wordsModel(2, 0.1f, 0);
        DecodingResult greedy = run(model, options().temperatures(List.of(0.0)).build());
        assertEquals(" the".repeat(12).strip(), greedy.text());
        assertTrue(greedy.compressionRatio() > 2.4, "greedy ratio " + greedy.compressionRatio());

        ToyModel fresh = wordsModel(2, 0.1f, 0);
        DecodingResult r = run(fresh, options().build());
        assertEquals(0.2, r.temperature(), "the first hotter try passes: " + r);
        assertTrue(r.compressionRatio() <= 2.4 && r.avgLogprob() >= -1.0, r.toString());
        assertEquals(1, fresh.prefillFeeds.get(), "every temperature reuses the prefill");
    }

    @Test
    void unlikelyOutputWalksTheWholeSchedule() {
        // eight equally likely words: average log-probability 12 ln(1/8) / 13 = -1.92 at every temperature
        DecodingResult r = run(wordsModel(8, 0f, 0), options().build());
        assertEquals(1.0, r.temperature());
        assertEquals(Math.log(1 / 8.0) * 12 / 13, r.avgLogprob(), 1e-9, "12 words at 1/8, end-of-text certain");

        DecodingResult noCheck = run(wordsModel(8, 0f, 0),
                options().logprobThreshold(null).compressionRatioThreshold(null).build());
        assertEquals(0.0, noCheck.temperature());
    }

    @Test
    void probableSilenceIsNotRetried() {
        // no-speech logit 13 against 0 elsewhere: p = 0.895 > 0.6, avg log-prob -1.92 < -1: silence, even though
        // the greedy text (" the" x 12) is also far too repetitive
        DecodingResult r = run(wordsModel(8, 0f, 13), options().build());
        assertEquals(0.0, r.temperature());
        assertTrue(r.noSpeechProb() > 0.6);
    }

    @Test
    void beamSizeAtZeroBestOfAboveZero() {
        DecodingOptions beam = DecodingOptions.builder().withoutTimestamps(true).beamSize(3).patience(1.0).build();
        ToyModel cold = wordsModel(2, 0.1f, 0);
        run(cold, TranscribeOptions.builder().decoding(beam).bestOf(4).temperatures(List.of(0.0))
                .compressionRatioThreshold(null).build());
        assertEquals(3, cold.sessionsCreated.get(), "three beams");
        ToyModel hot = wordsModel(2, 0.1f, 0);
        run(hot, TranscribeOptions.builder().decoding(beam).bestOf(4).temperatures(List.of(0.5)).build());
        assertEquals(4, hot.sessionsCreated.get(), "four samples, no beams");
    }
}
