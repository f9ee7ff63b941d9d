package org.dqwhisper.whisper;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.cli.Main;
import org.dqwhisper.decode.DecodingOptions;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.TranscribeOptions;
import org.dqwhisper.decode.Transcriber;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real recording (jfk.flac) through the whole pipeline — FFmpeg, log-mel, encoder, decoder with
 * KV cache, beam search, fallback, word timestamps — on the fixture model. Its weights are random, so
 * this checks mechanics and determinism, not words.
 */
class WhisperTranscriptionTest {
    static WhisperSpeechModel model;
    static MelSource mel;

    @BeforeAll
    static void load() throws Exception {
        model = new WhisperSpeechModel(WhisperModel.load(Path.of("tests/data/tiny-random-a/hf"), Precision.FP32), null, true);
        float[] pcm = AudioLoader.load(Path.of("tests/data/audio/jfk.flac"));
        MelSpectrogram m = new LogMelSpectrogram(80).compute(pcm, LogMelSpectrogram.CHUNK_SAMPLES);
        mel = MelSource.of(m.toFloatArray(), 80, m.frames(), pcm.length / LogMelSpectrogram.HOP_LENGTH);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static TranscribeOptions options(boolean beam, boolean words) {
        DecodingOptions.Builder d = DecodingOptions.builder().language("en").sampleLen(24).seed(7);
        if (beam) d.beamSize(3);
        // one temperature: the random model would fail every fallback gate and retry six times
        return TranscribeOptions.builder().decoding(d.build()).temperatures(List.of(0.0)).wordTimestamps(words).build();
    }

    @Test
    void transcribesDeterministicallyWithBeamsAndWords() {
        Transcriber t = new Transcriber(model);
        Transcription a = t.transcribe(mel, options(true, true));
        Transcription b = t.transcribe(mel, options(true, true));
        assertEquals(a, b, "same input, same options, same result");
        assertEquals("en", a.language());
        assertFalse(a.segments().isEmpty(), "the 11 s recording yields segments");
        double last = 0;
        for (var s : a.segments()) {
            assertTrue(s.start() >= 0 && s.end() <= 11.01 + 30, "segment inside the audio: " + s);
            if (s.words() != null) {
                for (var w : s.words()) {
                    assertTrue(w.end() >= w.start(), "word ends after it starts: " + w);
                    assertTrue(w.start() >= last - 1e-9, "words are monotone: " + w);
                    last = w.start();
                }
            }
        }
    }

    @Test
    void languageDetectionGivesADistribution() {
        Transcription t = new Transcriber(model).transcribe(mel,
                TranscribeOptions.builder().decoding(DecodingOptions.builder().sampleLen(8).build()).build());
        assertNotNull(t.language());
        assertTrue(t.languageProbability() > 0 && t.languageProbability() <= 1, "probability of the detected language");
    }

    @Test
    void fourThreadsShareOneModelAndMemoryStaysFlat() throws Exception {
        Transcription reference = new Transcriber(model).transcribe(mel, options(false, false));
        long before = Tensor.liveBytes();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Transcription>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) fs.add(pool.submit(() -> new Transcriber(model).transcribe(mel, options(false, false))));
            for (Future<Transcription> f : fs) assertEquals(reference, f.get(), "concurrent result equals the single-thread one");
        } finally {
            pool.shutdown();
        }
        for (int i = 0; i < 100; i++) new Transcriber(model).transcribe(mel, options(false, false));
        // every per-call tensor (features, KV caches, activations) is freed when the call returns
        assertEquals(before, Tensor.liveBytes(), "off-heap memory after 108 more calls");
    }

    @Test
    void cliTranscribesToEveryFormat(@TempDir Path dir) throws Exception {
        int rc = Main.run("transcribe", "--model", "tests/data/tiny-random-a/openai", "--language", "en", "--precision", "int8",
                "--output-format", "all", "--output-dir", dir.toString(), "tests/data/audio/jfk.flac");
        assertEquals(0, rc);
        for (String ext : new String[] {"txt", "srt", "vtt", "tsv", "json"}) {
            assertTrue(Files.exists(dir.resolve("jfk." + ext)), "jfk." + ext + " written");
        }
        assertTrue(Files.readString(dir.resolve("jfk.vtt")).startsWith("WEBVTT"));
    }
}
