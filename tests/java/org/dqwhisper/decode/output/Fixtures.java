package org.dqwhisper.decode.output;

import java.util.List;
import org.dqwhisper.decode.Segment;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.decode.WordTiming;

/** Transcriptions shared by the writer tests. */
final class Fixtures {
    private Fixtures() {}

    /**
     * Four segments without word timings: plain text; a "-->" and a tab with an end time that rounds half to even
     * up to a full minute; non-ASCII text with surrounding spaces spanning the one-hour mark; an empty segment.
     */
    static Transcription segmentsOnly() {
        List<Segment> segments = List.of(
                new Segment(0, 0, 0.0, 2.5, " Hello world.", new int[] {50364, 2425, 1002, 13, 50489}, 0.0, -0.25,
                        0.8, 0.001, null),
                new Segment(1, 250, 2.5, 59.9995, " And so --> on\twith tab", new int[] {400, 401}, 0.2,
                        -0.2345678901234, 1.2, 1e-05, null),
                new Segment(2, 359999, 3599.9995, 3661.5, "  \u00dcn\u00efc\u00f6d\u00e9 \u65e5\u672c\u8a9e \ud83c\udf89 ",
                        new int[] {}, 1.0, Double.NEGATIVE_INFINITY, 2.0, 0.5, null),
                new Segment(3, 366150, 3661.5, 3661.5, "", new int[] {}, 0.0, 0.0, 0.0, 0.0, null));
        String text = " Hello world. And so --> on\twith tab  \u00dcn\u00efc\u00f6d\u00e9 \u65e5\u672c\u8a9e \ud83c\udf89 ";
        return Transcription.of(text, segments, "en");
    }

    /** Two segments with word timings, 4 s apart (a "long pause" > 3 s between them). */
    static Transcription withWords() {
        List<WordTiming> first = List.of(
                new WordTiming(" Hello", 0.0, 0.5, 0.9),
                new WordTiming(" there,", 0.5, 1.0, 0.8),
                new WordTiming(" my", 1.2, 1.5, 0.95),
                new WordTiming(" friend.", 1.5, 3.0, 0.5));
        List<WordTiming> second = List.of(
                new WordTiming(" How", 7.0, 7.5, 0.25),
                new WordTiming(" -->", 7.5, 7.6, 0.125),
                new WordTiming(" are", 7.6, 8.0, 1.0),
                new WordTiming(" you?", 8.0, 9.0, 0.0625));
        List<Segment> segments = List.of(
                new Segment(0, 0, 0.0, 3.0, " Hello there, my friend.", new int[] {1, 2, 3, 4}, 0.0, -0.5, 1.1, 0.01,
                        first),
                new Segment(1, 0, 7.0, 9.0, " How --> are you?", new int[] {5, 6, 7, 8}, 0.0, -0.75, 1.05, 0.02,
                        second));
        return Transcription.of(" Hello there, my friend. How --> are you?", segments, "en");
    }
}
