package org.dqwhisper;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.decode.DecodingOptions;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.TranscribeOptions;
import org.dqwhisper.decode.Transcriber;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.WhisperSpeechModel;
import org.junit.jupiter.api.Test;

/** The README's Java API example, verbatim apart from the paths, so the documentation keeps compiling and running. */
class ReadmeExampleTest {
    @Test
    void readmeJavaApiExampleRuns() throws Exception {
        String text;
        try (WhisperModel m = WhisperModel.load(Path.of("tests/data/tiny-random-a/hf"), Precision.INT8);
             WhisperSpeechModel speech = new WhisperSpeechModel(m, "base", false)) {
            float[] pcm = AudioLoader.load(Path.of("tests/data/audio/jfk.flac"));
            MelSpectrogram mel = new LogMelSpectrogram(speech.nMels()).compute(pcm, LogMelSpectrogram.CHUNK_SAMPLES);
            Transcription t = new Transcriber(speech).transcribe(
                    MelSource.of(mel.toFloatArray(), speech.nMels(), mel.frames(), pcm.length / LogMelSpectrogram.HOP_LENGTH),
                    TranscribeOptions.builder().decoding(DecodingOptions.builder().beamSize(5).sampleLen(16).build()).build());
            text = t.text();
            assertNotNull(t.language(), "language detected");
        }
        assertNotNull(text);
    }
}
