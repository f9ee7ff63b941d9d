package org.dqwhisper.decode.output;

/**
 * Word-level layout options of the subtitle writers (SRT, VTT), as whisper's CLI flags. They only take effect
 * when the transcription has word timings; otherwise each segment is one cue.
 *
 * @param maxLineWidth {@code --max_line_width}: characters in a line before it is broken, or {@code null}
 * @param maxLineCount {@code --max_line_count}: lines per cue, or {@code null}; only used together with
 *     {@code maxLineWidth} (with both set, cues no longer follow segment boundaries and a pause over 3 s starts a
 *     new cue)
 * @param maxWordsPerLine {@code --max_words_per_line}: words per cue, or {@code null}; no effect together with
 *     {@code maxLineWidth}
 * @param highlightWords {@code --highlight_words}: one cue per word, the spoken word underlined with
 *     {@code <u>...</u>}
 */
public record WriterOptions(Integer maxLineWidth, Integer maxLineCount, Integer maxWordsPerLine,
        boolean highlightWords) {
    /** No word options: whisper's defaults. */
    public static final WriterOptions DEFAULT = new WriterOptions(null, null, null, false);

    public WriterOptions {
        requirePositive("maxLineWidth", maxLineWidth);
        requirePositive("maxLineCount", maxLineCount);
        requirePositive("maxWordsPerLine", maxWordsPerLine);
    }

    /** Whether any word-level option is set (whisper's CLI requires word timestamps then). */
    public boolean usesWords() {
        return maxLineWidth != null || maxLineCount != null || maxWordsPerLine != null || highlightWords;
    }

    private static void requirePositive(String name, Integer value) {
        if (value != null && value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0 (or null for no limit), got " + value);
        }
    }
}
