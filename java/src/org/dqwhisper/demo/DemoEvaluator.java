package org.dqwhisper.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dqwhisper.decode.GreedyDecoder;
import org.dqwhisper.eval.ErrorRate;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.text.normalize.BasicTextNormalizer;
import org.dqwhisper.whisper.DecoderState;
import org.dqwhisper.whisper.WhisperModel;

/**
 * Test-set scoring of one model: greedy decoding (language forced, no timestamps, at most {@code maxTokens} new
 * tokens) of every utterance, whisper's basic normalizer on hypothesis and reference, then character and word error
 * counts per language (CER counts inner spaces as characters, as jiwer's {@code cer}; for languages written
 * without spaces the WER is over whole phrases and only the CER is meaningful).
 */
public final class DemoEvaluator {
    /** One test utterance's language and character counts (for paired comparisons between systems on the same test set). */
    public record UtteranceChars(String language, ErrorRate.Counts chars) {}

    /**
     * Counts per language (first-seen order), the raw hypotheses and each utterance's character counts, both in
     * utterance order ({@code utterances} is empty where only per-language totals are known).
     */
    public record Scores(Map<String, ErrorRate.Counts> chars, Map<String, ErrorRate.Counts> words, List<String> hypotheses,
                         List<UtteranceChars> utterances) {
        public Scores {
            utterances = List.copyOf(utterances);
        }

        /** Per-language totals only. */
        public Scores(Map<String, ErrorRate.Counts> chars, Map<String, ErrorRate.Counts> words, List<String> hypotheses) {
            this(chars, words, hypotheses, List.of());
        }

        /** CER over all utterances of {@code language}. */
        public double cer(String language) {
            return chars.get(language).rate();
        }

        /** Macro mean of the per-language CERs (every language weighs the same). */
        public double meanCer() {
            return chars.values().stream().mapToDouble(ErrorRate.Counts::rate).average().orElse(Double.NaN);
        }

        /** Macro mean of the per-language WERs over the languages written with spaces. */
        public double meanWer() {
            return words.entrySet().stream().filter(e -> !DemoEvaluator.noSpaces(e.getKey())).mapToDouble(e -> e.getValue().rate()).average()
                    .orElse(Double.NaN);
        }
    }

    private final WhisperTokenizer tokenizer;
    private final int maxTokens;
    private final BasicTextNormalizer normalizer = new BasicTextNormalizer();

    public DemoEvaluator(WhisperTokenizer tokenizer, int maxTokens) {
        if (maxTokens < 1) throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
        this.tokenizer = tokenizer;
        this.maxTokens = maxTokens;
    }

    static boolean noSpaces(String language) {
        return language.equals("zh") || language.equals("ja") || language.equals("th") || language.equals("lo") || language.equals("my")
                || language.equals("yue");
    }

    /** Greedy transcript of utterance {@code u}. */
    public String transcribe(WhisperModel model, DemoData.Utterance u) {
        int budget = Math.min(maxTokens, model.config().nTextCtx() - u.prompt().length);
        try (Tensor m = Tensor.of(u.mel(), model.config().nMels(), model.config().nMelFrames());
                Tensor audio = model.encode(m);
                DecoderState state = model.newState(audio)) {
            int[] tokens = GreedyDecoder.decode(model, state, u.prompt(), budget, tokenizer.eot(), false).tokens();
            int n = tokens.length;
            if (n > 0 && tokens[n - 1] == tokenizer.eot()) n--;
            return tokenizer.decode(Arrays.copyOf(tokens, n));
        }
    }

    public Scores evaluate(WhisperModel model, DemoData test) {
        Map<String, ErrorRate.Counts> chars = new LinkedHashMap<>(), words = new LinkedHashMap<>();
        List<String> hyps = new ArrayList<>();
        List<UtteranceChars> each = new ArrayList<>();
        for (DemoData.Utterance u : test.utterances()) {
            String hyp = transcribe(model, u);
            hyps.add(hyp);
            String r = normalizer.normalize(u.text()), h = normalizer.normalize(hyp);
            ErrorRate.Counts c = ErrorRate.charCounts(r, h, ErrorRate.CharMode.KEEP_SPACES);
            each.add(new UtteranceChars(u.language(), c));
            chars.merge(u.language(), c, ErrorRate.Counts::plus);
            words.merge(u.language(), ErrorRate.wordCounts(r, h), ErrorRate.Counts::plus);
        }
        return new Scores(chars, words, hyps, each);
    }
}
