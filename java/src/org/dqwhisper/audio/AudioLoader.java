package org.dqwhisper.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads any audio file as whisper's input: 16 kHz mono float samples.
 *
 * <p>WAV files (recognised by their RIFF/RF64 header, not by the name) are read by {@link WavReader} and brought to
 * 16 kHz by {@link Resampler}, without FFmpeg; a 16 kHz mono 16-bit WAV gives exactly whisper's samples. WAV
 * encodings the reader does not handle (ADPCM, A-law, ...) and every other format (FLAC, MP3, OGG/Opus, M4A,
 * video containers) go through {@link FfmpegAudioDecoder}.
 */
public final class AudioLoader {
    private static final Logger LOG = LoggerFactory.getLogger(AudioLoader.class);

    private AudioLoader() {
    }

    /** 16 kHz mono samples of {@code file}. */
    public static float[] load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a readable regular file");
        }
        if (isWav(file)) {
            try {
                PcmAudio pcm = WavReader.read(file);
                LOG.debug("{}: WAV, {} Hz, {} channels, {} samples", file, pcm.sampleRate(), pcm.sourceChannels(),
                    pcm.samples().length);
                return Resampler.toWhisperRate(pcm.samples(), pcm.sampleRate());
            } catch (UnsupportedWavEncodingException e) {
                LOG.debug("{}: {}; decoding with FFmpeg", file, e.problem());
            }
        }
        return FfmpegAudioDecoder.decode(file);
    }

    private static boolean isWav(Path file) throws IOException {
        byte[] head = new byte[12];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            while (n < head.length) {
                int r = in.read(head, n, head.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        }
        return n == head.length && WavReader.looksLikeWav(head);
    }
}
