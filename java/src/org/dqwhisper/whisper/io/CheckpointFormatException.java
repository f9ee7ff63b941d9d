package org.dqwhisper.whisper.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file is malformed, unsafe or does not match what it claims to hold. The message
 * always names the file and, where one is involved, the tensor, so that the user can find the
 * culprit without a debugger: {@code <file>: tensor '<name>': <problem>}.
 */
public class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String tensor;

    public CheckpointFormatException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public CheckpointFormatException(Path file, String tensor, String problem, Throwable cause) {
        super(format(file, tensor, problem), cause);
        this.file = file;
        this.tensor = tensor;
    }

    public CheckpointFormatException(Path file, String problem) {
        this(file, null, problem, null);
    }

    public CheckpointFormatException(Path file, String problem, Throwable cause) {
        this(file, null, problem, cause);
    }

    /** The file at fault (may be null when the problem is not tied to one file). */
    public Path file() {
        return file;
    }

    /** The tensor at fault, or null. */
    public String tensor() {
        return tensor;
    }

    private static String format(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<no file>" : file.toString()).append(": ");
        if (tensor != null) sb.append("tensor '").append(tensor).append("': ");
        return sb.append(problem).toString();
    }
}
