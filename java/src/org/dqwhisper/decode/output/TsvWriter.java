package org.dqwhisper.decode.output;

import org.dqwhisper.decode.Segment;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.text.normalize.PythonWhitespace;

/**
 * Tab-separated values (whisper's {@code WriteTSV}): a header {@code start\tend\ttext}, then one line per segment
 * with start and end in integer milliseconds ({@link TimestampFormat#roundMillis}, half to even) and the stripped
 * text with tabs replaced by spaces.
 */
public final class TsvWriter implements ResultWriter {
    @Override
    public String extension() {
        return "tsv";
    }

    @Override
    public String render(Transcription transcription, WriterOptions options) {
        StringBuilder out = new StringBuilder("start\tend\ttext\n");
        for (Segment s : transcription.segments()) {
            out.append(TimestampFormat.roundMillis(s.start())).append('\t')
                    .append(TimestampFormat.roundMillis(s.end())).append('\t')
                    .append(PythonWhitespace.strip(s.text()).replace('\t', ' ')).append('\n');
        }
        return out.toString();
    }
}
