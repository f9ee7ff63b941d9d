package org.dqwhisper.decode.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.dqwhisper.decode.Transcription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a transcription to files named like whisper's: {@code <outputDir>/<audio base name>.<ext>}, where the base
 * name is the audio file's name without its last extension ({@code talk.final.wav -> talk.final};
 * a name whose only dot leads, like {@code .wav}, is kept whole, as Python's {@code os.path.splitext} does).
 *
 * <p>Each file is written atomically: the content goes to a temporary file in the output folder, which is then
 * renamed over the target, so a reader never sees a half-written file. The output folder is created if missing.
 */
public final class OutputWriters {
    private static final Logger LOG = LoggerFactory.getLogger(OutputWriters.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private OutputWriters() {}

    /**
     * Writes {@code transcription} in {@code format} (every format for {@link OutputFormat#ALL}).
     *
     * @return the files written, in format order
     * @throws IOException when the folder or a file cannot be written; a failed file leaves no temporary file behind
     */
    public static List<Path> write(Transcription transcription, Path audioFile, Path outputDir, OutputFormat format,
            WriterOptions options) throws IOException {
        Objects.requireNonNull(transcription, "transcription");
        Objects.requireNonNull(format, "format");
        WriterOptions opts = options == null ? WriterOptions.DEFAULT : options;
        String base = baseName(audioFile);
        Files.createDirectories(outputDir);
        List<Path> written = new ArrayList<>();
        for (OutputFormat f : format.formats()) {
            ResultWriter writer = f.writer();
            Path target = outputDir.resolve(base + "." + writer.extension());
            writeAtomically(target, writer.render(transcription, opts));
            LOG.debug("wrote {}", target);
            written.add(target);
        }
        return written;
    }

    /** The audio file's name without its last extension, as {@code os.path.splitext(os.path.basename(p))[0]}. */
    public static String baseName(Path audioFile) {
        Path fileName = Objects.requireNonNull(audioFile, "audioFile").getFileName();
        if (fileName == null) {
            throw new IllegalArgumentException("audio path has no file name: " + audioFile);
        }
        String name = fileName.toString();
        int dot = name.lastIndexOf('.');
        for (int i = 0; i < dot; i++) {
            if (name.charAt(i) != '.') {
                return name.substring(0, dot);
            }
        }
        return name; // no dot, or only leading dots: no extension
    }

    /** Writes {@code content} as UTF-8 to a temporary sibling of {@code target}, then renames it over target. */
    public static void writeAtomically(Path target, String content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        // not Files.createTempFile: its owner-only permissions would carry over to the output file
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        try {
            Files.write(tmp, content.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
