package org.dqwhisper.corpus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Everything that decides one utterance's audio: sentence, speaker, rate, pitch, augmentation.
 *
 * @param audio the WAV path relative to the corpus folder, e.g. {@code audio/de/de-train-0007.wav}
 */
public record UtterancePlan(String id, CorpusLanguage language, Split split, Sentence sentence, Speaker speaker,
                            int wordsPerMinute, int pitch, Augmentation augmentation, String audio) {
    /** Bump when the processing after synthesis changes, so cached files are rebuilt. */
    static final int PROCESSING_VERSION = 1;

    /** SHA-256 (hex) of every input of the audio, including the synthesizer's version. */
    public String cacheKey(String engineVersion) {
        Augmentation a = augmentation;
        String spec = String.format(Locale.ROOT, "v%d|%s|%s|%d|%d|%s|%s|%s|%s|%s|%s|%d",
            PROCESSING_VERSION, engineVersion, speaker.id(), wordsPerMinute, pitch, sentence.spoken(),
            a.reverbRt60(), a.directToReverbDb(), a.noise(), a.snrDb(), a.peakDbfs(), a.seed());
        return sha256(spec.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
