package org.dqwhisper.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dqwhisper.text.WhisperTokenizer;
import org.junit.jupiter.api.Test;

/**
 * Decoder labels. Expected ids come from tests/data/tokenizer (whisper's tokenizer.py + tiktoken for n_vocab 51865):
 * {@code <|endoftext|>} 50257, {@code <|startoftranscript|>} 50258, {@code <|en|>} 50259, {@code <|zh|>} 50260,
 * {@code <|transcribe|>} 50359, {@code <|notimestamps|>} 50363; " Hello world" is [2425, 1002].
 */
class WhisperLabelsTest {
    private static final WhisperTokenizer TOKENIZER = WhisperTokenizer.forVocabSize(51865);
    private static final int[] ZH_TEXT = {15003, 12074, 6734, 26668, 31375, 6135, 16206, 8259, 101, 3509, 123, 50255,
        1543};

    @Test
    void englishSentenceHasWhispersPromptALeadingSpaceAndEndOfText() {
        WhisperLabels labels = new WhisperLabels(TOKENIZER);
        assertArrayEquals(new int[] {50258, 50259, 50359, 50363, 2425, 1002, 50257},
            labels.sequence("  Hello world ", "en"));
        WhisperLabels.Labels l = labels.labels("Hello world", "en");
        assertArrayEquals(new int[] {50258, 50259, 50359, 50363, 2425, 1002}, l.input());
        // Hugging Face convention: every position after the start token is a target, prompt tokens included
        assertArrayEquals(new int[] {50259, 50359, 50363, 2425, 1002, 50257}, l.target());
        assertEquals(6, l.length());
    }

    @Test
    void chineseHasNoLeadingSpace() {
        int[] seq = new WhisperLabels(TOKENIZER).sequence("我们今天去北京天安门广场。", "zh");
        int[] want = new int[4 + ZH_TEXT.length + 1];
        System.arraycopy(new int[] {50258, 50260, 50359, 50363}, 0, want, 0, 4);
        System.arraycopy(ZH_TEXT, 0, want, 4, ZH_TEXT.length);
        want[want.length - 1] = 50257;
        assertArrayEquals(want, seq);
        assertEquals("我们今天去北京天安门广场。", TOKENIZER.decode(Arrays.copyOfRange(seq, 4, seq.length - 1)));
    }

    @Test
    void textOnlyLossIgnoresThePromptTargets() {
        WhisperLabels labels = new WhisperLabels(TOKENIZER, WhisperLabels.PromptLoss.TEXT_ONLY, 448);
        WhisperLabels.Labels l = labels.labels("Hello world", "en");
        assertArrayEquals(new int[] {50258, 50259, 50359, 50363, 2425, 1002}, l.input());
        assertArrayEquals(new int[] {-100, -100, -100, 2425, 1002, 50257}, l.target());
    }

    @Test
    void languageTokensFollowTheManifestLanguage() {
        WhisperLabels labels = new WhisperLabels(TOKENIZER);
        for (String code : new String[] {"de", "fr", "es", "it", "ru", "hi", "el", "pt"}) {
            int[] seq = labels.sequence("x", code);
            assertEquals(TOKENIZER.languageToken(code), seq[1], code);
            assertEquals(code, TOKENIZER.languageCode(seq[1]));
        }
        // an empty transcript is just the prompt and end-of-text
        assertArrayEquals(new int[] {50258, 50259, 50359, 50363, 50257}, labels.sequence("  ", "en"));
    }

    @Test
    void englishOnlyTokenizerNeedsNoLanguage() {
        WhisperTokenizer en = WhisperTokenizer.forVocabSize(51864);
        int[] seq = new WhisperLabels(en).sequence("Hello world", null);
        assertEquals(en.sot(), seq[0]);
        assertEquals(en.noTimestamps(), seq[1]);
        assertEquals(en.eot(), seq[seq.length - 1]);
        assertTrue(seq.length > 3);
    }

    @Test
    void misuseIsRejected() {
        WhisperLabels labels = new WhisperLabels(TOKENIZER);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> labels.labels("x", null));
        assertTrue(e.getMessage().contains("language"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> labels.labels("x", "xx"));
        WhisperLabels shortLimit = new WhisperLabels(TOKENIZER, WhisperLabels.PromptLoss.ALL_AFTER_START, 8);
        e = assertThrows(IllegalArgumentException.class, () -> shortLimit.labels("one two three four five six", "en"));
        assertTrue(e.getMessage().contains("more than 8"), e.getMessage());
    }
}
