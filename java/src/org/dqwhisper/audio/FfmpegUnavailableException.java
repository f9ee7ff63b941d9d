package org.dqwhisper.audio;

import java.io.IOException;

/** The FFmpeg native libraries needed to decode non-WAV audio could not be loaded on this machine. */
public final class FfmpegUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    public FfmpegUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
