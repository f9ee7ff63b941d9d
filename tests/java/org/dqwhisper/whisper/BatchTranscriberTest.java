package org.dqwhisper.whisper;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.decode.BatchTranscriber;
import org.dqwhisper.decode.DecodingOptions;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.Segment;
import org.dqwhisper.decode.TranscribeOptions;
import org.dqwhisper.decode.Transcriber;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchTranscriber} against {@link Transcriber} on the fixture model (tests/data/tiny-random-a, random
 * weights) with cuts of the real recording (jfk.flac) of different lengths: the results must be equal in every
 * token, timestamp and probability, whatever the batch size, since the batched encoder and the lock-step decoder
 * compute each window's numbers exactly as the single calls do.
 */
class BatchTranscriberTest {
    static WhisperSpeechModel model;
    static float[] pcm;

    @BeforeAll
    static void load() throws Exception {
        model = new WhisperSpeechModel(WhisperModel.load(Path.of("tests/data/tiny-random-a/hf"), Precision.FP32), null, true);
        pcm = AudioLoader.load(Path.of("tests/data/audio/jfk.flac"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** The log-mel of {@code seconds} of audio: jfk.flac repeated (or cut) to that length. */
    static MelSource mel(double seconds) {
        float[] audio = new float[(int) Math.round(seconds * 16_000)];
        for (int i = 0; i < audio.length; i++) audio[i] = pcm[i % pcm.length];
        MelSpectrogram m = new LogMelSpectrogram(80).compute(audio, LogMelSpectrogram.CHUNK_SAMPLES);
        return MelSource.of(m.toFloatArray(), 80, m.frames(), audio.length / LogMelSpectrogram.HOP_LENGTH);
    }

    static TranscribeOptions greedy(int sampleLen) {
        // one temperature: the random model fails every fallback gate and would retry six times
        return TranscribeOptions.builder().decoding(DecodingOptions.builder().language("en").sampleLen(sampleLen).build())
                .temperatures(List.of(0.0)).build();
    }

    /**
     * Four recordings of 11 s, 3 s, 45 s (two windows) and 7 s whose greedy decodes stop after 24, 3, 12 and 8
     * tokens, so sequences leave the lock-step batch at different steps and recordings leave the batch at
     * different rounds.
     */
    static List<BatchTranscriber.Input> inputs() {
        double[] seconds = {11, 3, 45, 7};
        int[] sampleLen = {24, 3, 12, 8};
        List<BatchTranscriber.Input> in = new ArrayList<>();
        for (int i = 0; i < seconds.length; i++) in.add(new BatchTranscriber.Input(mel(seconds[i]), greedy(sampleLen[i]), null));
        return in;
    }

    static List<Transcription> sequential(List<BatchTranscriber.Input> inputs) {
        List<Transcription> out = new ArrayList<>();
        for (BatchTranscriber.Input in : inputs) out.add(new Transcriber(model).transcribe(in.mel(), in.options()));
        return out;
    }

    @Test
    void greedyBatchesGiveTheSequentialResultsForEveryBatchSize() {
        List<BatchTranscriber.Input> inputs = inputs();
        List<Transcription> expected = sequential(inputs);
        assertTrue(expected.get(2).segments().stream().mapToDouble(Segment::start).max().orElse(0) >= 29,
                "the 45 s recording is decoded in more than one window");
        int[] lengths = expected.stream().mapToInt(t -> tokenCount(t)).toArray();
        assertTrue(Arrays.stream(lengths).distinct().count() > 1, "decodes of different lengths: " + Arrays.toString(lengths));
        long before = Tensor.liveBytes();
        for (int batchSize : new int[] {1, 2, 3}) {
            List<Transcription> got = new BatchTranscriber(model, batchSize).transcribeAll(inputs);
            assertEquals(expected, got, "batch size " + batchSize);
        }
        assertEquals(before, Tensor.liveBytes(), "every window's features and caches are freed");
    }

    private static int tokenCount(Transcription t) {
        return t.segments().stream().mapToInt(s -> s.tokens().length).sum();
    }

    @Test
    void featuresThatRunPerRecordingStillMatch() {
        // beam search (sequential decode on batched encoder output), word timestamps, and a temperature fallback
        // after the lock-step first try, mixed with plain greedy in one batch
        TranscribeOptions beam = TranscribeOptions.builder().decoding(DecodingOptions.builder().language("en").sampleLen(10)
                .beamSize(2).build()).temperatures(List.of(0.0)).build();
        TranscribeOptions words = greedy(10).toBuilder().wordTimestamps(true).build();
        TranscribeOptions fallback = greedy(6).toBuilder().temperatures(List.of(0.0, 0.5)).bestOf(2).build();
        List<BatchTranscriber.Input> inputs = List.of(new BatchTranscriber.Input(mel(11), beam, null),
                new BatchTranscriber.Input(mel(5), words, null), new BatchTranscriber.Input(mel(8), fallback, null),
                new BatchTranscriber.Input(mel(4), greedy(5), null));
        List<Transcription> expected = sequential(inputs);
        assertTrue(expected.get(1).segments().stream().anyMatch(s -> s.words() != null), "word timings made");
        assertEquals(expected, new BatchTranscriber(model, 4).transcribeAll(inputs));
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new BatchTranscriber(model, 0), "batch size 0");
        assertThrows(IllegalArgumentException.class, () -> new BatchTranscriber(model, -3), "negative batch size");
        BatchTranscriber t = new BatchTranscriber(model, 2);
        assertThrows(IllegalArgumentException.class, () -> t.transcribe(List.of(), greedy(4)), "no recordings");
        MelSource wrongBands = MelSource.of(new float[40 * 3100], 40, 3100, 100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.transcribe(List.of(mel(2), wrongBands), greedy(4)), "40 mel bands for an 80-band model");
        assertTrue(e.getMessage().contains("40 bands"), e.getMessage());
    }
}
