package org.dqwhisper.decode.output;

import org.dqwhisper.decode.Transcription;

/** Renders a transcription as the full text of one output file, byte for byte what whisper's writer of the same
 * extension writes (UTF-8, {@code \n} line ends). */
public interface ResultWriter {
    /** File extension without the dot: {@code "srt"}. */
    String extension();

    /** The file's content. */
    String render(Transcription transcription, WriterOptions options);
}
