package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.dqwhisper.text.WhisperTokenizer;

/**
 * Whisper's {@code SuppressTokens}: a fixed set of token ids is never sampled. {@link #resolve} builds the set from
 * the {@code suppress_tokens} option as whisper's {@code _get_suppress_tokens} does.
 */
public final class SuppressTokens implements LogitFilter {
    private final int[] suppressed;

    public SuppressTokens(int[] suppressed) {
        this.suppressed = suppressed.clone();
    }

    /** The suppressed ids, ascending. */
    public int[] tokens() {
        return suppressed.clone();
    }

    @Override
    public void apply(float[] logits, int[] tokens) {
        for (int id : suppressed) {
            logits[id] = Float.NEGATIVE_INFINITY;
        }
    }

    /**
     * Parses a comma-separated id list ("-1", "1,2,3"); null or blank gives an empty list.
     *
     * @throws IllegalArgumentException for a part that is not an integer, or a negative id other than -1
     */
    public static List<Integer> parse(String spec) {
        List<Integer> ids = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return ids;
        }
        for (String part : spec.split(",")) {
            int id;
            try {
                id = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("suppress_tokens: '" + part.trim() + "' is not a token id in '"
                        + spec + "'", e);
            }
            if (id < -1) {
                throw new IllegalArgumentException("suppress_tokens: negative id " + id + " (only -1 has a meaning)");
            }
            ids.add(id);
        }
        return ids;
    }

    /**
     * The ids whisper suppresses for {@code spec}: the listed ids, with -1 replaced by
     * {@link WhisperTokenizer#nonSpeechTokens()}, plus transcribe, translate, start-of-transcript,
     * start-of-previous, start-of-LM and no-speech (whose probability is read separately). Null when the spec is
     * null or empty: whisper then applies no token suppression at all.
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    public static int[] resolve(WhisperTokenizer tokenizer, String spec) {
        List<Integer> listed = parse(spec);
        if (listed.isEmpty()) {
            return null;
        }
        TreeSet<Integer> ids = new TreeSet<>();
        boolean nonSpeech = false;
        for (int id : listed) {
            if (id == -1) {
                nonSpeech = true;
            } else if (id >= tokenizer.vocabularySize()) {
                throw new IllegalArgumentException("suppress_tokens: id " + id + " is outside the vocabulary of "
                        + tokenizer.vocabularySize());
            } else {
                ids.add(id);
            }
        }
        if (nonSpeech) {
            for (int id : tokenizer.nonSpeechTokens()) {
                ids.add(id);
            }
        }
        ids.add(tokenizer.transcribe());
        ids.add(tokenizer.translate());
        ids.add(tokenizer.sot());
        ids.add(tokenizer.sotPrev());
        ids.add(tokenizer.sotLm());
        ids.add(tokenizer.noSpeech());
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
