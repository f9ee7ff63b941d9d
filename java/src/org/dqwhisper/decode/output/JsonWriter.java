package org.dqwhisper.decode.output;

import java.util.List;
import org.dqwhisper.decode.Segment;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.decode.WordTiming;

/**
 * The result as JSON, byte-identical to whisper's {@code WriteJSON} ({@code json.dump(result, file)}): one line, no
 * trailing newline, Python's separators ({@code ", "} and {@code ": "}), ASCII-only with {@code \}{@code uXXXX}
 * escapes, floats as Python's {@code repr}. Keys and their order are whisper's:
 * <pre>
 * {"text": ..., "segments": [{"id", "seek", "start", "end", "text", "tokens", "temperature", "avg_logprob",
 *   "compression_ratio", "no_speech_prob"[, "words": [{"word", "start", "end", "probability"}]]}], "language": ...}
 * </pre>
 * {@code "words"} appears only for segments with word timings. The language probabilities of
 * {@link Transcription} are not written, since whisper's JSON has no such fields.
 */
public final class JsonWriter implements ResultWriter {
    @Override
    public String extension() {
        return "json";
    }

    @Override
    public String render(Transcription t, WriterOptions options) {
        StringBuilder out = new StringBuilder(256 + 256 * t.segments().size());
        out.append("{\"text\": ");
        PythonJsonText.appendString(out, t.text());
        out.append(", \"segments\": [");
        List<Segment> segments = t.segments();
        for (int i = 0; i < segments.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            appendSegment(out, segments.get(i));
        }
        out.append("], \"language\": ");
        if (t.language() == null) {
            out.append("null");
        } else {
            PythonJsonText.appendString(out, t.language());
        }
        return out.append('}').toString();
    }

    private static void appendSegment(StringBuilder out, Segment s) {
        out.append("{\"id\": ").append(s.id()).append(", \"seek\": ").append(s.seek()).append(", \"start\": ");
        PythonJsonText.appendFloat(out, s.start()).append(", \"end\": ");
        PythonJsonText.appendFloat(out, s.end()).append(", \"text\": ");
        PythonJsonText.appendString(out, s.text()).append(", \"tokens\": [");
        int[] tokens = s.tokens();
        for (int k = 0; k < tokens.length; k++) {
            if (k > 0) {
                out.append(", ");
            }
            out.append(tokens[k]);
        }
        out.append("], \"temperature\": ");
        PythonJsonText.appendFloat(out, s.temperature()).append(", \"avg_logprob\": ");
        PythonJsonText.appendFloat(out, s.avgLogprob()).append(", \"compression_ratio\": ");
        PythonJsonText.appendFloat(out, s.compressionRatio()).append(", \"no_speech_prob\": ");
        PythonJsonText.appendFloat(out, s.noSpeechProb());
        if (s.hasWords()) {
            out.append(", \"words\": [");
            List<WordTiming> words = s.words();
            for (int k = 0; k < words.size(); k++) {
                if (k > 0) {
                    out.append(", ");
                }
                WordTiming w = words.get(k);
                out.append("{\"word\": ");
                PythonJsonText.appendString(out, w.word()).append(", \"start\": ");
                PythonJsonText.appendFloat(out, w.start()).append(", \"end\": ");
                PythonJsonText.appendFloat(out, w.end()).append(", \"probability\": ");
                PythonJsonText.appendFloat(out, w.probability()).append('}');
            }
            out.append(']');
        }
        out.append('}');
    }
}
