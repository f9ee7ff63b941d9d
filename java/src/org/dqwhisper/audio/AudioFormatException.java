package org.dqwhisper.audio;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An audio file whose bytes cannot be read as the format they claim to be: truncated, corrupt or an
 * unsupported encoding. The message names the file, the byte offset where the problem was found and the problem.
 */
public class AudioFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;
    private final String problem;

    public AudioFormatException(Path file, long offset, String problem) {
        super(file + ": at byte offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    public AudioFormatException(Path file, long offset, String problem, Throwable cause) {
        this(file, offset, problem);
        initCause(cause);
    }

    /** The file that could not be read (may be a descriptive name for in-memory data). */
    public Path file() {
        return file;
    }

    /** Byte offset in the file where the problem was detected. */
    public long offset() {
        return offset;
    }

    /** The problem, without file and offset. */
    public String problem() {
        return problem;
    }
}
