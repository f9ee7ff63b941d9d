package org.dqwhisper.train.data;

import java.io.IOException;
import java.nio.file.Path;

/** A manifest line that cannot be used; the message names the file and the line. */
public final class ManifestFormatException extends IOException {
    private final Path file;
    private final int line;

    public ManifestFormatException(Path file, int line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** 1-based line number (0 for a problem with the whole file). */
    public int line() {
        return line;
    }
}
