package org.dqwhisper.train.data;

import java.util.Arrays;
import java.util.Set;
import org.dqwhisper.text.WhisperTokenizer;

/**
 * Whisper's decoder sequence for a transcript, and the teacher-forcing input/target pair made from it:
 * <pre>
 *   sequence = &lt;|startoftranscript|&gt; &lt;|lang|&gt; &lt;|transcribe|&gt; &lt;|notimestamps|&gt; text... &lt;|endoftext|&gt;
 *   input    = sequence[:-1]        (what the decoder reads)
 *   target   = sequence[1:]         (what it must predict at each position)
 * </pre>
 * <b>Loss positions.</b> With {@link PromptLoss#ALL_AFTER_START} (the default) every target counts, i.e. the loss
 * covers the language, task and no-timestamps tokens, the text and end-of-text: this is what Hugging Face's Whisper
 * fine-tuning does (labels are the whole sequence after the decoder start token). It also keeps the model able to
 * predict the language token, which language detection reads. {@link PromptLoss#TEXT_ONLY} sets the targets of the
 * three prompt tokens to {@link #IGNORE_INDEX}, so only the text and end-of-text are learned.
 *
 * <p><b>Text.</b> The transcript is stripped and, for languages written with spaces between words, prefixed by one
 * space (" Guten Tag."): Whisper's decoded text starts with a space-initial token in those languages, so the
 * first word is tokenized as it is in running text. Chinese, Japanese, Thai, Lao, Burmese, Khmer, Tibetan and
 * Cantonese get no space.
 */
public final class WhisperLabels {
    /** Target value that the loss skips (PyTorch's default {@code ignore_index}). */
    public static final int IGNORE_INDEX = -100;
    /** Whisper's decoder context ({@code n_text_ctx}). */
    public static final int WHISPER_TEXT_CONTEXT = 448;
    private static final Set<String> NO_SPACE_LANGUAGES = Set.of("zh", "ja", "th", "lo", "my", "km", "bo", "yue");

    /** Which targets count in the loss. */
    public enum PromptLoss { ALL_AFTER_START, TEXT_ONLY }

    /** A teacher-forcing pair of equal length. */
    public record Labels(int[] input, int[] target) {
        public int length() {
            return input.length;
        }
    }

    private final WhisperTokenizer tokenizer;
    private final PromptLoss promptLoss;
    private final int maxLength;

    /** Labels with loss on every position after the start token and Whisper's 448-token limit. */
    public WhisperLabels(WhisperTokenizer tokenizer) {
        this(tokenizer, PromptLoss.ALL_AFTER_START, WHISPER_TEXT_CONTEXT);
    }

    /** @param maxLength the most input tokens a sequence may have (the model's {@code n_text_ctx}) */
    public WhisperLabels(WhisperTokenizer tokenizer, PromptLoss promptLoss, int maxLength) {
        if (maxLength < 5) {
            throw new IllegalArgumentException("maxLength must leave room for the prompt, got " + maxLength);
        }
        this.tokenizer = tokenizer;
        this.promptLoss = promptLoss;
        this.maxLength = maxLength;
    }

    public WhisperTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The full sequence for {@code text} in {@code language} (a code; null only for English-only tokenizers).
     *
     * @throws IllegalArgumentException for a missing or unknown language, or a sequence over the length limit
     */
    public int[] sequence(String text, String language) {
        int[] prompt = prompt(language);
        String encoded = textForLanguage(text, language);
        int[] body = encoded.isBlank() ? new int[0] : tokenizer.encode(encoded);
        int[] seq = Arrays.copyOf(prompt, prompt.length + body.length + 1);
        System.arraycopy(body, 0, seq, prompt.length, body.length);
        seq[seq.length - 1] = tokenizer.eot();
        if (seq.length - 1 > maxLength) {
            throw new IllegalArgumentException("transcript needs " + (seq.length - 1) + " decoder tokens, more than "
                + maxLength + ": \"" + text + "\"");
        }
        return seq;
    }

    /** The prompt: start, language, transcribe, no-timestamps (start and no-timestamps only for English-only). */
    public int[] prompt(String language) {
        if (tokenizer.isMultilingual()) {
            if (language == null) {
                throw new IllegalArgumentException("a multilingual tokenizer needs the utterance's language");
            }
            return tokenizer.sotSequenceIncludingNoTimestamps(language, WhisperTokenizer.Task.TRANSCRIBE);
        }
        return tokenizer.sotSequenceIncludingNoTimestamps(null, null);
    }

    /** The teacher-forcing pair for {@code text}. */
    public Labels labels(String text, String language) {
        int[] seq = sequence(text, language);
        int[] input = Arrays.copyOf(seq, seq.length - 1);
        int[] target = Arrays.copyOfRange(seq, 1, seq.length);
        if (promptLoss == PromptLoss.TEXT_ONLY) {
            int promptTargets = prompt(language).length - 1; // targets that predict a prompt token
            Arrays.fill(target, 0, promptTargets, IGNORE_INDEX);
        }
        return new Labels(input, target);
    }

    /** The text as encoded: stripped, with a leading space unless the language is written without spaces. */
    public static String textForLanguage(String text, String language) {
        String stripped = text.strip();
        return language != null && NO_SPACE_LANGUAGES.contains(language) ? stripped : " " + stripped;
    }
}
