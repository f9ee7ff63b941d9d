package org.dqwhisper.whisper;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.decode.DecodingOptions;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.Segment;
import org.dqwhisper.decode.TranscribeOptions;
import org.dqwhisper.decode.Transcriber;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.train.WhisperInit;
import org.junit.jupiter.api.Test;

/**
 * A model trained on 7.5 s windows ({@code n_audio_ctx} 375, as the demo's models) transcribes long audio window by
 * window of its own length: the 11 s JFK recording becomes [0, 7.5] and [7.5, 11.0], where a 30 s framing would
 * hand the encoder 3000 frames it cannot take. Random weights: this checks the windowing, not the words.
 */
class ShortWindowTranscriptionTest {
    @Test
    void longAudioIsCutIntoTheModelsOwnWindows() throws Exception {
        WhisperConfig cfg = WhisperConfig.of(80, 375, 32, 2, 1, 51865, 64, 32, 2, 1);
        float[] pcm = AudioLoader.load(Path.of("tests/data/audio/jfk.flac"));
        MelSpectrogram m = new LogMelSpectrogram(80).compute(pcm, LogMelSpectrogram.CHUNK_SAMPLES);
        MelSource mel = MelSource.of(m.toFloatArray(), 80, m.frames(), pcm.length / LogMelSpectrogram.HOP_LENGTH);
        double seconds = pcm.length / 16000.0;
        try (WhisperSpeechModel model = new WhisperSpeechModel(WhisperInit.random(cfg, 3), null, true)) {
            assertEquals(750, model.windowFrames());
            DecodingOptions d = DecodingOptions.builder().language("en").sampleLen(8).withoutTimestamps(true).build();
            Transcription t = new Transcriber(model).transcribe(mel,
                    TranscribeOptions.builder().decoding(d).temperatures(List.of(0.0)).build());
            List<Segment> s = t.segments();
            assertEquals(2, s.size(), "two windows of 7.5 s for " + seconds + " s: " + s);
            assertEquals(0.0, s.get(0).start(), 1e-9);
            assertEquals(7.5, s.get(0).end(), 1e-9);
            assertEquals(7.5, s.get(1).start(), 1e-9);
            assertEquals(seconds, s.get(1).end(), 0.011);

            // word timestamps: alignment over the 375 positions of each window, inside the segment
            Transcription w = new Transcriber(model).transcribe(mel, TranscribeOptions.builder()
                    .decoding(DecodingOptions.builder().language("en").sampleLen(8).build()).temperatures(List.of(0.0))
                    .wordTimestamps(true).build());
            for (Segment seg : w.segments()) {
                assertTrue(seg.start() >= 0 && seg.end() <= seconds + 0.011, "segment inside the audio: " + seg);
                if (seg.words() == null) continue;
                for (var word : seg.words()) {
                    assertTrue(word.start() >= seg.start() - 1e-6 && word.end() <= seg.end() + 1e-6, word + " inside " + seg);
                }
            }
        }
    }
}
