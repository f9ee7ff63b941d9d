package org.dqwhisper.audio;

import java.nio.file.Path;

/**
 * A well-formed WAV file whose sample encoding {@link WavReader} does not decode itself (ADPCM, mu-law, ...).
 * {@link AudioLoader} hands such files to FFmpeg instead.
 */
public final class UnsupportedWavEncodingException extends AudioFormatException {
    private static final long serialVersionUID = 1L;

    public UnsupportedWavEncodingException(Path file, long offset, String problem) {
        super(file, offset, problem);
    }
}
