package org.dqwhisper.corpus;

import java.io.IOException;
import org.dqwhisper.audio.PcmAudio;

/** Text to speech, as the corpus generator needs it. Implementations must be thread-safe. */
public interface SpeechSynthesizer {
    /** Speaks {@code text} with {@code voice} (espeak-ng's {@code -v}, e.g. "de+m3") at a rate and pitch. */
    PcmAudio synthesize(String text, String voice, int wordsPerMinute, int pitch) throws IOException;

    /** Identifies the engine and version; part of every cache key, so a new engine re-synthesizes. */
    String version() throws IOException;
}
