package org.dqwhisper.train.data;

import java.nio.file.Path;

/**
 * One utterance of a manifest.
 *
 * @param id       the line's {@code id}, or the audio path as written when it has none
 * @param audio    absolute path of the audio file
 * @param text     the transcript
 * @param language Whisper language code, or null when the line has none
 * @param duration seconds, or null when the line has none
 * @param speaker  speaker label, or null
 * @param line     1-based line in the manifest (for messages)
 */
public record ManifestEntry(String id, Path audio, String text, String language, Double duration, String speaker,
                            int line) {
}
