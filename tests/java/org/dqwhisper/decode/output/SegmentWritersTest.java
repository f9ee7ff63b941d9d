package org.dqwhisper.decode.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.dqwhisper.decode.Segment;
import org.dqwhisper.decode.Transcription;
import org.junit.jupiter.api.Test;

/** The five writers on segments without word timings, against hand-written files in whisper's formats. */
class SegmentWritersTest {
    private static final WriterOptions NONE = WriterOptions.DEFAULT;

    @Test
    void srtNumbersCuesFromOneAlwaysWritesHoursAndEscapesArrows() {
        String expected = ""
                + "1\n00:00:00,000 --> 00:00:02,500\nHello world.\n\n"
                + "2\n00:00:02,500 --> 00:01:00,000\nAnd so -> on\twith tab\n\n"
                + "3\n01:00:00,000 --> 01:01:01,500\n\u00dcn\u00efc\u00f6d\u00e9 \u65e5\u672c\u8a9e \ud83c\udf89\n\n"
                + "4\n01:01:01,500 --> 01:01:01,500\n\n\n";
        assertEquals(expected, new SrtWriter().render(Fixtures.segmentsOnly(), NONE));
    }

    @Test
    void vttHasHeaderNoNumbersAndHoursOnlyFromOneHour() {
        String expected = "WEBVTT\n\n"
                + "00:00.000 --> 00:02.500\nHello world.\n\n"
                + "00:02.500 --> 01:00.000\nAnd so -> on\twith tab\n\n"
                + "01:00:00.000 --> 01:01:01.500\n\u00dcn\u00efc\u00f6d\u00e9 \u65e5\u672c\u8a9e \ud83c\udf89\n\n"
                + "01:01:01.500 --> 01:01:01.500\n\n\n";
        assertEquals(expected, new VttWriter().render(Fixtures.segmentsOnly(), NONE));
    }

    @Test
    void txtStripsEachSegmentAndKeepsArrows() {
        String expected = "Hello world.\nAnd so --> on\twith tab\n\u00dcn\u00efc\u00f6d\u00e9 \u65e5\u672c\u8a9e \ud83c\udf89\n\n";
        assertEquals(expected, new TxtWriter().render(Fixtures.segmentsOnly(), NONE));
    }

    @Test
    void tsvUsesIntegerMillisecondsAndReplacesTabs() {
        String expected = "start\tend\ttext\n"
                + "0\t2500\tHello world.\n"
                + "2500\t60000\tAnd so --> on with tab\n"
                + "3600000\t3661500\t\u00dcn\u00efc\u00f6d\u00e9 \u65e5\u672c\u8a9e \ud83c\udf89\n"
                + "3661500\t3661500\t\n";
        assertEquals(expected, new TsvWriter().render(Fixtures.segmentsOnly(), NONE));
    }

    @Test
    void jsonMatchesPythonJsonDump() {
        String expected = "{\"text\": \" Hello world. And so --> on\\twith tab  \\u00dcn\\u00efc\\u00f6d\\u00e9 "
                + "\\u65e5\\u672c\\u8a9e \\ud83c\\udf89 \", \"segments\": ["
                + "{\"id\": 0, \"seek\": 0, \"start\": 0.0, \"end\": 2.5, \"text\": \" Hello world.\", "
                + "\"tokens\": [50364, 2425, 1002, 13, 50489], \"temperature\": 0.0, \"avg_logprob\": -0.25, "
                + "\"compression_ratio\": 0.8, \"no_speech_prob\": 0.001}, "
                + "{\"id\": 1, \"seek\": 250, \"start\": 2.5, \"end\": 59.9995, \"text\": \" And so --> on\\twith tab\", "
                + "\"tokens\": [400, 401], \"temperature\": 0.2, \"avg_logprob\": -0.2345678901234, "
                + "\"compression_ratio\": 1.2, \"no_speech_prob\": 1e-05}, "
                + "{\"id\": 2, \"seek\": 359999, \"start\": 3599.9995, \"end\": 3661.5, "
                + "\"text\": \"  \\u00dcn\\u00efc\\u00f6d\\u00e9 \\u65e5\\u672c\\u8a9e \\ud83c\\udf89 \", \"tokens\": [], "
                + "\"temperature\": 1.0, \"avg_logprob\": -Infinity, \"compression_ratio\": 2.0, "
                + "\"no_speech_prob\": 0.5}, "
                + "{\"id\": 3, \"seek\": 366150, \"start\": 3661.5, \"end\": 3661.5, \"text\": \"\", \"tokens\": [], "
                + "\"temperature\": 0.0, \"avg_logprob\": 0.0, \"compression_ratio\": 0.0, \"no_speech_prob\": 0.0}"
                + "], \"language\": \"en\"}";
        assertEquals(expected, new JsonWriter().render(Fixtures.segmentsOnly(), NONE));
    }

    @Test
    void jsonEscapesQuotesBackslashesControlsAndWritesNullLanguage() {
        Segment s = new Segment(0, 0, 0.0, 1.0, "say \"hi\" \\ \r\b\f\u0001\u007f/", new int[] {7}, 0.0, Double.NaN,
                1e16, 1e-4, null);
        String expected = "{\"text\": \"x\", \"segments\": [{\"id\": 0, \"seek\": 0, \"start\": 0.0, \"end\": 1.0, "
                + "\"text\": \"say \\\"hi\\\" \\\\ \\r\\b\\f\\u0001\\u007f/\", \"tokens\": [7], \"temperature\": 0.0, "
                + "\"avg_logprob\": NaN, \"compression_ratio\": 1e+16, \"no_speech_prob\": 0.0001}], "
                + "\"language\": null}";
        assertEquals(expected, new JsonWriter().render(Transcription.of("x", List.of(s), null), NONE));
    }

    @Test
    void emptyTranscriptionGivesHeadersOnly() {
        Transcription empty = Transcription.of("", List.of(), "en");
        assertEquals("", new SrtWriter().render(empty, NONE));
        assertEquals("WEBVTT\n\n", new VttWriter().render(empty, NONE));
        assertEquals("", new TxtWriter().render(empty, NONE));
        assertEquals("start\tend\ttext\n", new TsvWriter().render(empty, NONE));
        assertEquals("{\"text\": \"\", \"segments\": [], \"language\": \"en\"}", new JsonWriter().render(empty, NONE));
    }

    @Test
    void stripUsesPythonWhitespaceIncludingNoBreakSpace() {
        // Python's str.strip() removes U+00A0 and U+3000; Java's String.strip() would keep U+00A0
        Segment s = Segment.ofText(0, 0.0, 1.0, "\u00a0\u3000 text\u2009\u00a0");
        Transcription t = Transcription.of("text", List.of(s), "en");
        assertEquals("text\n", new TxtWriter().render(t, NONE));
        assertEquals("1\n00:00:00,000 --> 00:00:01,000\ntext\n\n", new SrtWriter().render(t, NONE));
    }

    @Test
    void wordOptionsAreIgnoredWithoutWordTimings() {
        WriterOptions opts = new WriterOptions(5, 1, 1, true);
        assertEquals(new SrtWriter().render(Fixtures.segmentsOnly(), NONE),
                new SrtWriter().render(Fixtures.segmentsOnly(), opts));
    }
}
