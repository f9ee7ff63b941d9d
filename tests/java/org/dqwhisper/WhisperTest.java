package org.dqwhisper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.cuda.CudaRuntime;
import org.dqwhisper.decode.DecodingOptions;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.Segment;
import org.dqwhisper.decode.TranscribeOptions;
import org.dqwhisper.decode.Transcriber;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.decode.TranscriptionListener;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.WhisperSpeechModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade gives exactly what the pipeline assembled by hand gives (same FFmpeg samples, log-mel with 30 s of
 * padding, model, decoder), at both precisions, from several threads at once; misuse and bad files get named
 * exceptions. The fixture's weights are random, so this checks wiring and determinism, not words.
 */
class WhisperTest {
    static final Path MODEL = Path.of("tests/data/tiny-random-a/hf");
    static final Path AUDIO = Path.of("tests/data/audio/jfk.flac");
    static float[] pcm;

    @BeforeAll
    static void audio() throws IOException {
        pcm = AudioLoader.load(AUDIO);
    }

    /** Greedy and beam options short enough for a random model: one temperature, 24 tokens per window. */
    static TranscribeOptions options(boolean beam, boolean words) {
        DecodingOptions.Builder d = DecodingOptions.builder().language("en").sampleLen(24).seed(7);
        if (beam) d.beamSize(3);
        return TranscribeOptions.builder().decoding(d.build()).temperatures(List.of(0.0)).wordTimestamps(words).build();
    }

    /** The reference: every step spelled out, as WhisperTranscriptionTest assembles it. */
    static Transcription byHand(Precision precision, TranscribeOptions options) throws IOException {
        try (WhisperSpeechModel m = new WhisperSpeechModel(WhisperModel.load(MODEL, precision), null, true)) {
            MelSpectrogram mel = new LogMelSpectrogram(80).compute(pcm, LogMelSpectrogram.CHUNK_SAMPLES);
            MelSource src = MelSource.of(mel.toFloatArray(), 80, mel.frames(), pcm.length / LogMelSpectrogram.HOP_LENGTH);
            return new Transcriber(m).transcribe(src, options);
        }
    }

    static void assertSame(Transcription want, Transcription got) {
        assertEquals(want.text(), got.text());
        assertEquals(want.language(), got.language());
        assertEquals(want.segments().size(), got.segments().size());
        for (int i = 0; i < want.segments().size(); i++) {
            Segment a = want.segments().get(i), b = got.segments().get(i);
            assertArrayEquals(a.tokens(), b.tokens(), "segment " + i);
            assertEquals(a.start(), b.start(), "segment " + i);
            assertEquals(a.end(), b.end(), "segment " + i);
            assertEquals(a.words(), b.words(), "segment " + i);
        }
    }

    @Test
    void fileTranscriptionEqualsThePipelineByHandAtBothPrecisions() throws IOException {
        for (Precision p : Precision.values()) {
            TranscribeOptions o = options(true, true);
            Transcription want = byHand(p, o);
            assertTrue(want.segments().size() > 0 && !want.text().isBlank(), "the reference decodes something: " + want);
            try (Whisper w = Whisper.builder(MODEL).precision(p).build()) {
                assertEquals(Whisper.Device.CPU, w.device());
                assertEquals(p, w.precision());
                assertSame(want, w.transcribe(AUDIO, o));
                assertSame(want, w.transcribe(pcm, o));
            }
        }
        // the two precisions are different arithmetic: at least the logits differ, so the test would see a mix-up
        try (Whisper f = Whisper.load(MODEL); Whisper i = Whisper.builder(MODEL).precision(Precision.INT8).build()) {
            assertEquals(Precision.FP32, f.precision());
            assertNotEquals(logitSum(f), logitSum(i));
        }
    }

    /** The sum of the next-token logits after the transcribe prompt on the first second of audio. */
    static double logitSum(Whisper w) {
        MelSpectrogram mel = new LogMelSpectrogram(80).compute(pcm, LogMelSpectrogram.CHUNK_SAMPLES);
        float[] window = MelSource.of(mel.toFloatArray(), 80, mel.frames(), 1000).window(0, 100);
        try (var audio = w.speechModel().encode(window); var session = w.speechModel().startDecoder(audio)) {
            double s = 0;
            for (float v : session.feed(new int[] {50258, 50259, 50359}, 2)[0]) s += v;
            return s;
        }
    }

    @Test
    void threadsShareOneModel() throws Exception {
        TranscribeOptions o = options(false, false);
        Transcription want = byHand(Precision.INT8, o);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (Whisper w = Whisper.builder(MODEL).precision(Precision.INT8).build()) {
            List<Future<Transcription>> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) runs.add(pool.submit(() -> w.transcribe(pcm, o)));
            for (Future<Transcription> f : runs) assertSame(want, f.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void listenerSeesEverySegment() throws IOException {
        TranscribeOptions o = options(false, false);
        try (Whisper w = Whisper.load(MODEL)) {
            List<Segment> seen = new ArrayList<>();
            Transcription t = w.transcribe(pcm, o, new TranscriptionListener() {
                @Override
                public void segment(Segment segment) {
                    seen.add(segment);
                }
            });
            assertEquals(t.segments(), seen);
        }
    }

    @Test
    void officialNamesComeFromThePath() {
        assertEquals("base.en", Whisper.officialName(Path.of("models/whisper-base.en")));
        assertEquals("large-v3", Whisper.officialName(Path.of("openai_whisper-large-v3")));
        assertEquals("small", Whisper.officialName(Path.of("/data/small.pt")));
        assertEquals("hf", Whisper.officialName(MODEL));
    }

    @Test
    void misuseAndBadFilesAreNamed(@TempDir Path tmp) throws IOException {
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> Whisper.load(tmp.resolve("whisper-nope")));
        assertTrue(missing.getMessage().contains("whisper-nope"), missing.getMessage());
        Path empty = Files.createDirectory(tmp.resolve("empty-model"));
        IOException unreadable = assertThrows(IOException.class, () -> Whisper.load(empty));
        assertTrue(unreadable.getMessage().contains("empty-model"), unreadable.getMessage());

        IllegalArgumentException nullPath = assertThrows(IllegalArgumentException.class, () -> Whisper.builder(null));
        assertTrue(nullPath.getMessage().contains("model path"), nullPath.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Whisper.builder(MODEL).threads(-1));
        assertThrows(IllegalArgumentException.class, () -> Whisper.builder(MODEL).precision(null));

        Path notAudio = Files.writeString(tmp.resolve("notes.wav"), "not audio at all");
        Whisper w = Whisper.load(MODEL);
        try (w) {
            IOException bad = assertThrows(IOException.class, () -> w.transcribe(notAudio, options(false, false)));
            assertTrue(bad.getMessage().contains("notes.wav"), bad.getMessage());
            assertThrows(NoSuchFileException.class, () -> w.transcribe(tmp.resolve("gone.flac")));
            IllegalArgumentException nullOptions = assertThrows(IllegalArgumentException.class, () -> w.transcribe(pcm, null));
            assertTrue(nullOptions.getMessage().contains("options"), nullOptions.getMessage());
        }
        w.close(); // twice is fine
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> w.transcribe(pcm, options(false, false)));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }

    @Test
    void withoutCudaAutoRunsOnTheCpuAndCudaIsRefused() throws IOException {
        assumeFalse(CudaRuntime.available(), "a CUDA device is usable here");
        try (Whisper w = Whisper.builder(MODEL).device(Whisper.Device.AUTO).build()) {
            assertEquals(Whisper.Device.CPU, w.device());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Whisper.builder(MODEL).device(Whisper.Device.CUDA).build());
        assertTrue(e.getMessage().contains("CUDA"), e.getMessage());
    }
}
