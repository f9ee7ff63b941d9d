package org.dqwhisper.decode.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.dqwhisper.decode.Segment;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.decode.WordTiming;
import org.junit.jupiter.api.Test;

/**
 * Word-level subtitle layout (whisper's --max_line_width, --max_line_count, --max_words_per_line,
 * --highlight_words), each expected file worked out by hand from whisper's rules.
 */
class WordSubtitlesTest {
    private static String vtt(Transcription t, WriterOptions o) {
        return new VttWriter().render(t, o);
    }

    @Test
    void withoutOptionsEachSegmentIsOneCueAndArrowsAreNotEscaped() {
        assertEquals("WEBVTT\n\n"
                + "00:00.000 --> 00:03.000\nHello there, my friend.\n\n"
                + "00:07.000 --> 00:09.000\nHow --> are you?\n\n",
                vtt(Fixtures.withWords(), WriterOptions.DEFAULT));
    }

    @Test
    void highlightWordsUnderlinesEachWordAndFillsGaps() {
        String expected = ""
                + "1\n00:00:00,000 --> 00:00:00,500\n<u>Hello</u> there, my friend.\n\n"
                + "2\n00:00:00,500 --> 00:00:01,000\nHello <u>there,</u> my friend.\n\n"
                + "3\n00:00:01,000 --> 00:00:01,200\nHello there, my friend.\n\n"
                + "4\n00:00:01,200 --> 00:00:01,500\nHello there, <u>my</u> friend.\n\n"
                + "5\n00:00:01,500 --> 00:00:03,000\nHello there, my <u>friend.</u>\n\n"
                + "6\n00:00:07,000 --> 00:00:07,500\n<u>How</u> --> are you?\n\n"
                + "7\n00:00:07,500 --> 00:00:07,600\nHow <u>--></u> are you?\n\n"
                + "8\n00:00:07,600 --> 00:00:08,000\nHow --> <u>are</u> you?\n\n"
                + "9\n00:00:08,000 --> 00:00:09,000\nHow --> are <u>you?</u>\n\n";
        assertEquals(expected, new SrtWriter().render(Fixtures.withWords(), new WriterOptions(null, null, null, true)));
    }

    @Test
    void lineWidthWithOneLinePerCueSplitsAtWidthAndAtLongPauses() {
        assertEquals("WEBVTT\n\n"
                + "00:00.000 --> 00:01.000\nHello there,\n\n"
                + "00:01.200 --> 00:03.000\nmy friend.\n\n"
                + "00:07.000 --> 00:08.000\nHow --> are\n\n"
                + "00:08.000 --> 00:09.000\nyou?\n\n",
                vtt(Fixtures.withWords(), new WriterOptions(12, 1, null, false)));
    }

    @Test
    void lineWidthWithTwoLinesPerCueBreaksLines() {
        assertEquals("WEBVTT\n\n"
                + "00:00.000 --> 00:03.000\nHello there,\nmy friend.\n\n"
                + "00:07.000 --> 00:09.000\nHow --> are\nyou?\n\n",
                vtt(Fixtures.withWords(), new WriterOptions(12, 2, null, false)));
    }

    @Test
    void lineWidthAloneKeepsSegmentsAndBreaksLines() {
        assertEquals("WEBVTT\n\n"
                + "00:00.000 --> 00:03.000\nHello there,\nmy friend.\n\n"
                + "00:07.000 --> 00:09.000\nHow --> are\nyou?\n\n",
                vtt(Fixtures.withWords(), new WriterOptions(12, null, null, false)));
    }

    @Test
    void maxWordsPerLineMakesOneCuePerGroupOfWords() {
        assertEquals("WEBVTT\n\n"
                + "00:00.000 --> 00:01.000\nHello there,\n\n"
                + "00:01.200 --> 00:03.000\nmy friend.\n\n"
                + "00:07.000 --> 00:07.600\nHow -->\n\n"
                + "00:07.600 --> 00:09.000\nare you?\n\n",
                vtt(Fixtures.withWords(), new WriterOptions(null, null, 2, false)));
    }

    @Test
    void highlightWithLineBreaksUnderlinesAfterTheBreak() {
        String expected = "WEBVTT\n\n"
                + "00:00.000 --> 00:00.500\n<u>Hello</u> there,\nmy friend.\n\n"
                + "00:00.500 --> 00:01.000\nHello <u>there,</u>\nmy friend.\n\n"
                + "00:01.000 --> 00:01.200\nHello there,\nmy friend.\n\n"
                + "00:01.200 --> 00:01.500\nHello there,\n<u>my</u> friend.\n\n"
                + "00:01.500 --> 00:03.000\nHello there,\nmy <u>friend.</u>\n\n"
                + "00:07.000 --> 00:07.500\n<u>How</u> --> are\nyou?\n\n"
                + "00:07.500 --> 00:07.600\nHow <u>--></u> are\nyou?\n\n"
                + "00:07.600 --> 00:08.000\nHow --> <u>are</u>\nyou?\n\n"
                + "00:08.000 --> 00:09.000\nHow --> are\n<u>you?</u>\n\n";
        assertEquals(expected, vtt(Fixtures.withWords(), new WriterOptions(12, 2, null, true)));
    }

    private static Transcription closeSegments() {
        return Transcription.of("x", List.of(
                new Segment(0, 0, 0.0, 1.0, " One two", new int[0], 0, 0, 1, 0,
                        List.of(new WordTiming(" One", 0.0, 0.5, 1), new WordTiming(" two", 0.5, 1.0, 1))),
                new Segment(1, 0, 1.5, 2.5, " three four", new int[0], 0, 0, 1, 0,
                        List.of(new WordTiming(" three", 1.5, 2.0, 1), new WordTiming(" four", 2.0, 2.5, 1)))),
                "en");
    }

    @Test
    void widthAndCountTogetherIgnoreSegmentBoundaries() {
        assertEquals("WEBVTT\n\n00:00.000 --> 00:02.500\nOne two three four\n\n",
                vtt(closeSegments(), new WriterOptions(100, 2, null, false)));
        assertEquals("WEBVTT\n\n00:00.000 --> 00:01.000\nOne two\n\n00:01.500 --> 00:02.500\nthree four\n\n",
                vtt(closeSegments(), new WriterOptions(100, null, null, false)));
    }

    @Test
    void segmentsWithEmptyWordListsGiveNoCues() {
        Transcription t = Transcription.of("", List.of(Segment.ofText(0, 0, 1, " ").withWords(List.of())), "en");
        assertEquals("WEBVTT\n\n", vtt(t, WriterOptions.DEFAULT));
    }

    @Test
    void jsonListsWordsAfterTheSegmentFields() {
        String expected = "{\"text\": \" Hello there, my friend. How --> are you?\", \"segments\": ["
                + "{\"id\": 0, \"seek\": 0, \"start\": 0.0, \"end\": 3.0, \"text\": \" Hello there, my friend.\", "
                + "\"tokens\": [1, 2, 3, 4], \"temperature\": 0.0, \"avg_logprob\": -0.5, \"compression_ratio\": 1.1, "
                + "\"no_speech_prob\": 0.01, \"words\": ["
                + "{\"word\": \" Hello\", \"start\": 0.0, \"end\": 0.5, \"probability\": 0.9}, "
                + "{\"word\": \" there,\", \"start\": 0.5, \"end\": 1.0, \"probability\": 0.8}, "
                + "{\"word\": \" my\", \"start\": 1.2, \"end\": 1.5, \"probability\": 0.95}, "
                + "{\"word\": \" friend.\", \"start\": 1.5, \"end\": 3.0, \"probability\": 0.5}]}, "
                + "{\"id\": 1, \"seek\": 0, \"start\": 7.0, \"end\": 9.0, \"text\": \" How --> are you?\", "
                + "\"tokens\": [5, 6, 7, 8], \"temperature\": 0.0, \"avg_logprob\": -0.75, \"compression_ratio\": 1.05, "
                + "\"no_speech_prob\": 0.02, \"words\": ["
                + "{\"word\": \" How\", \"start\": 7.0, \"end\": 7.5, \"probability\": 0.25}, "
                + "{\"word\": \" -->\", \"start\": 7.5, \"end\": 7.6, \"probability\": 0.125}, "
                + "{\"word\": \" are\", \"start\": 7.6, \"end\": 8.0, \"probability\": 1.0}, "
                + "{\"word\": \" you?\", \"start\": 8.0, \"end\": 9.0, \"probability\": 0.0625}]}"
                + "], \"language\": \"en\"}";
        assertEquals(expected, new JsonWriter().render(Fixtures.withWords(), WriterOptions.DEFAULT));
    }

    @Test
    void underlineFollowsPythonRegexSemantics() {
        assertEquals(" <u>word</u>", SubtitleCues.underline(" word"));
        assertEquals("\n<u>word</u>", SubtitleCues.underline("\nword"));
        assertEquals("a\nb", SubtitleCues.underline("a\nb"));
        assertEquals("<u>ab</u>\n", SubtitleCues.underline("ab\n"));
        assertEquals("<u></u>", SubtitleCues.underline(""));
        assertEquals("  \n<u></u>", SubtitleCues.underline("  \n"));
        assertEquals(" \n<u>x</u>\n", SubtitleCues.underline(" \nx\n"));
    }

    @Test
    void nonPositiveLimitsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new WriterOptions(0, null, null, false));
        assertThrows(IllegalArgumentException.class, () -> new WriterOptions(null, -1, null, false));
        assertThrows(IllegalArgumentException.class, () -> new WriterOptions(null, null, 0, false));
    }
}
