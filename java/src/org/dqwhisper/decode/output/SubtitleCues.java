package org.dqwhisper.decode.output;

import java.util.ArrayList;
import java.util.List;
import org.dqwhisper.decode.Segment;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.decode.WordTiming;
import org.dqwhisper.text.normalize.PythonWhitespace;

/**
 * Turns a transcription into subtitle cues the way whisper's {@code SubtitlesWriter.iterate_result} does; SRT and
 * VTT differ only in how they print the cues.
 *
 * <p><b>Without word timings</b> (some segment has none, {@code words == null}): one cue per segment, text
 * stripped and every
 * {@code -->} replaced by {@code ->} so it cannot be read as a cue separator.
 *
 * <p>Whisper tests only the first segment for a {@code "words"} key; since it also adds an empty {@code "words"}
 * list to segments it clears when word timestamps are off, that test fails with a {@code KeyError} when the first
 * segment is such a cleared one. Requiring word lists on every segment gives the same result in all other cases.
 *
 * <p><b>With word timings</b>: words are packed into lines and lines into cues. A word continues the current line
 * while the line stays within {@code maxLineWidth} characters (default 1000, counted in code points with the
 * word's leading space). Otherwise it starts a new line (its whitespace stripped), and the new line starts a new
 * cue when the cue already has {@code maxLineCount} lines or the word follows a pause of more than 3 s. Unless both
 * {@code maxLineWidth} and {@code maxLineCount} are set, cues follow segment boundaries, and every group of
 * {@code maxWordsPerLine} words of a segment starts a new cue. Cue text is the words joined as they are (line
 * breaks included); whisper does not escape {@code -->} in this mode, and neither does this class.
 * With {@code highlightWords}, each cue becomes one cue per word with that word wrapped in {@code <u>...</u>},
 * plus a cue with the plain text to fill any gap between consecutive words.
 */
final class SubtitleCues {
    /** One cue: formatted start and end time and its text (may contain line breaks). */
    record Cue(String start, String end, String text) {}

    /** A word as placed into a cue: its text may have lost its whitespace or gained a leading line break. */
    private record PlacedWord(String text, double start, double end) {}

    private static final double LONG_PAUSE_SECONDS = 3.0;
    private static final int UNLIMITED = 1000;

    private SubtitleCues() {}

    static List<Cue> build(Transcription t, WriterOptions options, boolean alwaysIncludeHours, char decimalMarker) {
        List<Segment> segments = t.segments();
        List<Cue> cues = new ArrayList<>();
        if (!segments.isEmpty() && segments.stream().allMatch(Segment::hasWords)) {
            for (List<PlacedWord> subtitle : groupWords(segments, options)) {
                addWordCues(cues, subtitle, options.highlightWords(), alwaysIncludeHours, decimalMarker);
            }
        } else {
            for (Segment s : segments) {
                cues.add(new Cue(TimestampFormat.format(s.start(), alwaysIncludeHours, decimalMarker),
                        TimestampFormat.format(s.end(), alwaysIncludeHours, decimalMarker),
                        PythonWhitespace.strip(s.text()).replace("-->", "->")));
            }
        }
        return cues;
    }

    private static List<List<PlacedWord>> groupWords(List<Segment> segments, WriterOptions options) {
        Integer maxLineCount = options.maxLineCount();
        boolean preserveSegments = maxLineCount == null || options.maxLineWidth() == null;
        int maxLineWidth = options.maxLineWidth() == null ? UNLIMITED : options.maxLineWidth();
        int maxWordsPerLine = options.maxWordsPerLine() == null ? UNLIMITED : options.maxWordsPerLine();

        List<List<PlacedWord>> subtitles = new ArrayList<>();
        List<PlacedWord> subtitle = new ArrayList<>();
        int lineLength = 0;
        int lineCount = 1;
        double lastStart = firstStart(segments);
        for (Segment segment : segments) {
            List<WordTiming> words = wordsOf(segment);
            for (int chunk = 0; chunk < words.size(); chunk += maxWordsPerLine) {
                int chunkEnd = Math.min(words.size(), chunk + maxWordsPerLine);
                for (int k = chunk; k < chunkEnd; k++) {
                    WordTiming w = words.get(k);
                    String text = w.word();
                    int length = codePoints(text);
                    boolean longPause = !preserveSegments && w.start() - lastStart > LONG_PAUSE_SECONDS;
                    boolean hasRoom = lineLength + length <= maxLineWidth;
                    boolean segmentBreak = k == chunk && !subtitle.isEmpty() && preserveSegments;
                    if (lineLength > 0 && hasRoom && !longPause && !segmentBreak) {
                        lineLength += length;
                    } else {
                        text = PythonWhitespace.strip(text);
                        boolean cueFull = maxLineCount != null && (longPause || lineCount >= maxLineCount);
                        if ((!subtitle.isEmpty() && cueFull) || segmentBreak) {
                            subtitles.add(subtitle);
                            subtitle = new ArrayList<>();
                            lineCount = 1;
                        } else if (lineLength > 0) {
                            lineCount++;
                            text = "\n" + text;
                        }
                        lineLength = codePoints(PythonWhitespace.strip(text));
                    }
                    subtitle.add(new PlacedWord(text, w.start(), w.end()));
                    lastStart = w.start();
                }
            }
        }
        if (!subtitle.isEmpty()) {
            subtitles.add(subtitle);
        }
        return subtitles;
    }

    private static void addWordCues(List<Cue> cues, List<PlacedWord> subtitle, boolean highlight,
            boolean alwaysIncludeHours, char marker) {
        String cueStart = TimestampFormat.format(subtitle.get(0).start(), alwaysIncludeHours, marker);
        String cueEnd = TimestampFormat.format(subtitle.get(subtitle.size() - 1).end(), alwaysIncludeHours, marker);
        StringBuilder joined = new StringBuilder();
        subtitle.forEach(w -> joined.append(w.text()));
        String cueText = joined.toString();
        if (!highlight) {
            cues.add(new Cue(cueStart, cueEnd, cueText));
            return;
        }
        String last = cueStart;
        for (int i = 0; i < subtitle.size(); i++) {
            String start = TimestampFormat.format(subtitle.get(i).start(), alwaysIncludeHours, marker);
            String end = TimestampFormat.format(subtitle.get(i).end(), alwaysIncludeHours, marker);
            if (!last.equals(start)) {
                cues.add(new Cue(last, start, cueText));
            }
            StringBuilder text = new StringBuilder();
            for (int j = 0; j < subtitle.size(); j++) {
                text.append(j == i ? underline(subtitle.get(j).text()) : subtitle.get(j).text());
            }
            cues.add(new Cue(start, end, text.toString()));
            last = end;
        }
    }

    /**
     * Whisper's {@code re.sub(r"^(\s*)(.*)$", r"\1<u>\2</u>", word)}: underline what follows the leading
     * whitespace up to the end of the line. As in Python, {@code .} stops at a line feed and {@code $} also matches
     * before a final line feed; when the rest has a line feed that is not the last character there is no match
     * and the word is left unchanged.
     */
    static String underline(String word) {
        int lead = PythonWhitespace.leadingLength(word);
        int lineEnd = word.indexOf('\n', lead);
        if (lineEnd < 0) {
            lineEnd = word.length();
        } else if (lineEnd != word.length() - 1) {
            return word;
        }
        return word.substring(0, lead) + "<u>" + word.substring(lead, lineEnd) + "</u>" + word.substring(lineEnd);
    }

    /** Whisper's {@code get_start}: the first word's start, else the first segment's start. */
    private static double firstStart(List<Segment> segments) {
        for (Segment s : segments) {
            List<WordTiming> words = wordsOf(s);
            if (!words.isEmpty()) {
                return words.get(0).start();
            }
        }
        return segments.get(0).start();
    }

    private static List<WordTiming> wordsOf(Segment s) {
        return s.words() == null ? List.of() : s.words();
    }

    private static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }
}
