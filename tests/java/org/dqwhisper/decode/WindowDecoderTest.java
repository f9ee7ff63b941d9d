package org.dqwhisper.decode;

import static org.dqwhisper.decode.BeamSearchTest.EOT;
import static org.dqwhisper.decode.BeamSearchTest.TOK;
import static org.dqwhisper.decode.BeamSearchTest.V;
import static org.dqwhisper.decode.BeamSearchTest.decode;
import static org.dqwhisper.decode.BeamSearchTest.plain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** One-window decoding: initial tokens, no-speech probability, limits, timestamps, resources. */
class WindowDecoderTest {
    /** At the start-of-transcript position: no-speech and end-of-text equally likely, all else impossible. */
    private static float[] sotRow() {
        float[] logits = ToyModel.filled(V, Float.NEGATIVE_INFINITY);
        logits[TOK.noSpeech()] = 0;
        logits[EOT] = 0;
        return logits;
    }

    /** Emits token 200 forever (never end-of-text); at the sot position returns {@link #sotRow()}. */
    private static ToyModel endlessModel() {
        return new ToyModel(TOK, (context, mel) -> {
            if (context[context.length - 1] == TOK.sot()) {
                return sotRow();
            }
            float[] logits = ToyModel.filled(V, -5);
            logits[200] = 5;
            return logits;
        });
    }

    @Test
    void noSpeechProbabilityIsReadAtTheStartOfTranscriptPosition() {
        DecodingResult r = decode(endlessModel(), plain().sampleLen(3).build());
        assertEquals(0.5, r.noSpeechProb(), 1e-12);
        // with a prompt the sot token moves; the probability must still come from its position
        DecodingResult prompted = decode(endlessModel(), plain().sampleLen(3).promptTokens(new int[] {7, 8}).build());
        assertEquals(0.5, prompted.noSpeechProb(), 1e-12);
    }

    @Test
    void stopsAfterSampleLenAndAveragesOverLengthPlusOne() {
        DecodingResult r = decode(endlessModel(), plain().sampleLen(5).build());
        assertArrayEquals(new int[] {200, 200, 200, 200, 200}, r.tokens());
        float[] row = ToyModel.filled(V, -5);
        row[200] = 5;
        double step = Softmax.logProbability(row, 200);
        assertEquals(5 * step, r.sumLogprob(), 1e-9);
        assertEquals(5 * step / 6, r.avgLogprob(), 1e-9);
        assertEquals(TOK.decode(r.tokens()).strip(), r.text());
        assertEquals(CompressionRatio.of(r.text()), r.compressionRatio());
    }

    @Test
    void initialTokensFollowWhispersLayoutAndSlicing() {
        int[] sot = {TOK.sot()};
        int sotPrev = TOK.sotPrev();
        int[] prompt = new int[300];
        Arrays.setAll(prompt, i -> 1000 + i);
        int[] prefix = {5, 6, 7};
        // prompt keeps its last n_ctx/2 - 1 = 223 tokens; with sample_len 224 the prefix limit is 0: whole prefix
        int[] tokens = WindowDecoder.initialTokens(sot, prompt, prefix, 448, 224, sotPrev);
        assertEquals(1 + 223 + 1 + 3, tokens.length);
        assertEquals(sotPrev, tokens[0]);
        assertEquals(1000 + 300 - 223, tokens[1]);
        assertEquals(TOK.sot(), tokens[224]);
        assertArrayEquals(prefix, Arrays.copyOfRange(tokens, 225, 228));
        // sample_len 222 leaves 2 prefix tokens
        int[] shorter = WindowDecoder.initialTokens(sot, null, prefix, 448, 222, sotPrev);
        assertArrayEquals(new int[] {TOK.sot(), 6, 7}, shorter);
        assertArrayEquals(sot, WindowDecoder.initialTokens(sot, new int[0], null, 448, 224, sotPrev));
    }

    @Test
    void textPromptAndPrefixAreEncodedWithALeadingSpace() {
        ToyModel model = endlessModel();
        decode(model, plain().sampleLen(1).prompt("  hello there ").prefix("So").build());
        int[] fed = model.prefills.get(0);
        int[] expected = concat(new int[] {TOK.sotPrev()}, TOK.encode(" hello there"),
                new int[] {TOK.sot(), TOK.noTimestamps()}, TOK.encode(" So"));
        assertArrayEquals(expected, fed);
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void timestampModeStartsWithATimestampAndPairsThem() {
        int tb = TOK.timestampBegin();
        // the model prefers text everywhere; only the timestamp rules can produce timestamps
        ToyModel model = new ToyModel(TOK, (context, mel) -> {
            float[] logits = ToyModel.filled(V, -10);
            logits[300] = 3;
            logits[tb + 60] = 2; // beyond max_initial_timestamp (1.0 s = index 50)
            logits[tb + 40] = 1;
            logits[EOT] = context.length >= 3 ? 4 : -10;
            return logits;
        });
        DecodingResult r = decode(model, DecodingOptions.builder().build());
        // step 1: text masked, <|1.20|> beyond the initial limit, so <|0.80|>; step 2: a timestamp after the first
        // position must be followed by text: 300; step 3: eot is best
        assertArrayEquals(new int[] {tb + 40, 300}, r.tokens());
    }

    @Test
    void sessionsAreReusedAcrossCallsAndAllClosed() {
        ToyModel model = endlessModel();
        try (AudioFeatures audio = model.encode(new float[2 * 3000]);
                WindowDecoder decoder = new WindowDecoder(model, audio)) {
            DecodingOptions o = plain().sampleLen(3).build();
            DecodingResult a = decoder.decode(o);
            DecodingResult b = decoder.decode(o.toBuilder().beamSize(3).build());
            DecodingResult c = decoder.decode(o.toBuilder().temperature(0.5).bestOf(2).build());
            assertArrayEquals(a.tokens(), b.tokens());
            assertArrayEquals(a.tokens(), c.tokens());
            assertEquals(1, model.prefillFeeds.get(), "the initial tokens are fed once and reused");
            assertTrue(model.liveSessions.get() <= 3, "at most the widest group is kept");
        }
        assertEquals(0, model.liveSessions.get());
        assertEquals(0, model.liveAudio.get());
    }

    @Test
    void englishOnlyModelsNeedNoLanguageAndCannotDetectOne() {
        DecodingResult r = decode(endlessModel(), plain().sampleLen(1).build());
        assertEquals("en", r.language());
        ToyModel model = endlessModel();
        try (AudioFeatures audio = model.encode(new float[2 * 3000])) {
            assertThrows(IllegalStateException.class, () -> LanguageDetector.detect(model, audio));
        }
    }
}
