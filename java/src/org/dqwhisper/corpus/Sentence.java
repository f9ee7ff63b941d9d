package org.dqwhisper.corpus;

/**
 * One corpus sentence: the transcript, and what espeak-ng is asked to speak (the same text, except for Mandarin,
 * whose sentences are spoken from tone-numbered pinyin).
 */
public record Sentence(String text, String spoken) {
    public Sentence {
        if (text == null || text.isBlank() || spoken == null || spoken.isBlank()) {
            throw new IllegalArgumentException("sentence text and spoken form must not be blank");
        }
    }
}
