package org.dqwhisper.decode.output;

import org.dqwhisper.decode.Transcription;

/**
 * SubRip (whisper's {@code WriteSRT}): cues numbered from 1, times {@code HH:MM:SS,mmm} with the hours always
 * written, each cue followed by an empty line:
 * <pre>
 * 1
 * 00:00:00,000 --> 00:00:02,500
 * Hello there.
 *
 * </pre>
 * Cue layout follows {@link SubtitleCues}.
 */
public final class SrtWriter implements ResultWriter {
    @Override
    public String extension() {
        return "srt";
    }

    @Override
    public String render(Transcription transcription, WriterOptions options) {
        StringBuilder out = new StringBuilder();
        int number = 1;
        for (SubtitleCues.Cue cue : SubtitleCues.build(transcription, options, true, ',')) {
            out.append(number++).append('\n')
                    .append(cue.start()).append(" --> ").append(cue.end()).append('\n')
                    .append(cue.text()).append("\n\n");
        }
        return out.toString();
    }
}
