package org.dqwhisper.eval;

import java.io.IOException;

/** A transcript file that cannot be read as plain lines or JSON lines; the message names the file and line. */
public final class TranscriptFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public TranscriptFormatException(String message) {
        super(message);
    }

    public TranscriptFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
