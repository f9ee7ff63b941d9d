package org.dqwhisper.decode.output;

import org.dqwhisper.decode.Segment;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.text.normalize.PythonWhitespace;

/** Plain text: each segment's stripped text on its own line (whisper's {@code WriteTXT}). Empty segments give
 * empty lines. */
public final class TxtWriter implements ResultWriter {
    @Override
    public String extension() {
        return "txt";
    }

    @Override
    public String render(Transcription transcription, WriterOptions options) {
        StringBuilder out = new StringBuilder();
        for (Segment s : transcription.segments()) {
            out.append(PythonWhitespace.strip(s.text())).append('\n');
        }
        return out.toString();
    }
}
