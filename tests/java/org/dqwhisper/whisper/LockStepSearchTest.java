package org.dqwhisper.whisper;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.bench.RowByRowModel;
import org.dqwhisper.decode.AudioFeatures;
import org.dqwhisper.decode.BatchTranscriber;
import org.dqwhisper.decode.DecoderSession;
import org.dqwhisper.decode.DecodingOptions;
import org.dqwhisper.decode.DecodingResult;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.SpeechModel;
import org.dqwhisper.decode.TranscribeOptions;
import org.dqwhisper.decode.Transcriber;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.decode.WindowDecoder;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lock-step decoding of several hypotheses (the beams of a beam search, the members of a best-of-N sample) and of
 * several windows, on the fixture model (tests/data/tiny-random-a, random weights) and cuts of jfk.flac, against
 * an independent reference: the same model behind {@link RowByRowModel}, whose decoder forwards take one hypothesis
 * at a time (the interface's default {@code feedBatch}). The results must be equal in every token and probability:
 * the batched forward computes each row as a single-row forward does, and each search sees only its own rows.
 * {@link Counting} checks that the rows really are batched, so a regression to one forward per hypothesis fails.
 */
class LockStepSearchTest {
    static WhisperSpeechModel model;

    @BeforeAll
    static void load() throws Exception {
        model = new WhisperSpeechModel(WhisperModel.load(Path.of("tests/data/tiny-random-a/hf"), Precision.FP32), null, true);
        if (BatchTranscriberTest.pcm == null) { // the cuts of jfk.flac come from BatchTranscriberTest.mel
            BatchTranscriberTest.pcm = AudioLoader.load(Path.of("tests/data/audio/jfk.flac"));
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** The real batched model, counting its batched decoder forwards and their rows. */
    static final class Counting extends RowByRowModel {
        int calls;
        int rows;
        int widest;

        Counting(SpeechModel inner) {
            super(inner);
        }

        @Override
        public float[][][] feedBatch(List<DecoderSession> sessions, int[][] tokens, int[][] rows) {
            calls++;
            this.rows += sessions.size();
            widest = Math.max(widest, sessions.size());
            return inner.feedBatch(sessions, tokens, rows);
        }
    }

    static DecodingResult decode(SpeechModel m, MelSource mel, DecodingOptions options) {
        float[] window = mel.window(0, Math.min(mel.contentFrames(), m.windowFrames()), m.windowFrames());
        try (AudioFeatures audio = m.encode(window); WindowDecoder d = new WindowDecoder(m, audio)) {
            return d.decode(options);
        }
    }

    @Test
    void beamsAndBestOfMembersShareEachForwardWithTheSingleRowResults() {
        MelSource mel = BatchTranscriberTest.mel(9);
        List<DecodingOptions> cases = List.of(
                DecodingOptions.builder().language("en").sampleLen(14).beamSize(5).build(),
                DecodingOptions.builder().language("en").sampleLen(14).beamSize(3).patience(2.0).lengthPenalty(0.6).build(),
                DecodingOptions.builder().language("en").sampleLen(12).temperature(0.8).bestOf(5).seed(7).build(),
                DecodingOptions.builder().language("en").sampleLen(12).withoutTimestamps(true).build());
        for (DecodingOptions o : cases) {
            DecodingResult expected = decode(new RowByRowModel(model), mel, o);
            Counting counting = new Counting(model);
            DecodingResult got = decode(counting, mel, o);
            assertEquals(expected, got, o.toString());
            assertTrue(expected.tokens().length > 0, "something was decoded: " + o);
            int hypotheses = o.beamSize() != null ? o.beamSize() : o.groupSize();
            if (hypotheses > 1) {
                assertTrue(counting.widest > 1, "hypotheses batched: widest forward " + counting.widest + " rows, " + o);
                assertTrue(counting.calls < counting.rows, counting.calls + " forwards for " + counting.rows + " rows");
            }
        }
    }

    @Test
    void batchedBeamSearchAndFallbackGiveTheRowByRowResults() {
        // beam search first tries; the random model fails the gates, so every window also retries at T = 0.5 and
        // T = 1.0 with best-of 3 (the retries of different windows run together too)
        TranscribeOptions beam = TranscribeOptions.builder().decoding(DecodingOptions.builder().language("en")
                .sampleLen(10).beamSize(4).build()).temperatures(List.of(0.0, 0.5, 1.0)).bestOf(3).build();
        TranscribeOptions greedy = beam.toBuilder().decoding(DecodingOptions.builder().language("en").sampleLen(7)
                .build()).build();
        List<BatchTranscriber.Input> inputs = List.of(new BatchTranscriber.Input(BatchTranscriberTest.mel(11), beam, null),
                new BatchTranscriber.Input(BatchTranscriberTest.mel(4), greedy, null),
                new BatchTranscriber.Input(BatchTranscriberTest.mel(35), beam, null));
        Transcriber reference = new Transcriber(new RowByRowModel(model));
        List<Transcription> expected = new ArrayList<>();
        for (BatchTranscriber.Input in : inputs) expected.add(reference.transcribe(in.mel(), in.options()));
        assertTrue(expected.stream().flatMap(t -> t.segments().stream()).anyMatch(s -> s.temperature() > 0),
                "some window fell back to sampling");
        long before = Tensor.liveBytes();
        Counting counting = new Counting(model);
        List<Transcription> got = new BatchTranscriber(counting, 3).transcribeAll(inputs);
        assertEquals(expected, got);
        assertTrue(counting.widest >= 8, "beams of two windows in one forward: widest " + counting.widest);
        assertEquals(before, Tensor.liveBytes(), "every window's features and caches are freed");
    }
}
