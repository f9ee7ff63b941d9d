package org.dqwhisper.decode.output;

import org.dqwhisper.decode.Transcription;

/**
 * WebVTT (whisper's {@code WriteVTT}): a {@code WEBVTT} header and an empty line, then cues with times
 * {@code MM:SS.mmm} ({@code HH:MM:SS.mmm} from one hour on), no cue numbers, each cue followed by an empty line.
 * Cue layout follows {@link SubtitleCues}.
 */
public final class VttWriter implements ResultWriter {
    @Override
    public String extension() {
        return "vtt";
    }

    @Override
    public String render(Transcription transcription, WriterOptions options) {
        StringBuilder out = new StringBuilder("WEBVTT\n\n");
        for (SubtitleCues.Cue cue : SubtitleCues.build(transcription, options, false, '.')) {
            out.append(cue.start()).append(" --> ").append(cue.end()).append('\n')
                    .append(cue.text()).append("\n\n");
        }
        return out.toString();
    }
}
