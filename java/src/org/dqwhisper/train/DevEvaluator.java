package org.dqwhisper.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dqwhisper.decode.GreedyDecoder;
import org.dqwhisper.eval.ErrorRate;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.text.normalize.BasicTextNormalizer;
import org.dqwhisper.whisper.DecoderState;
import org.dqwhisper.whisper.WhisperModel;

/**
 * Dev-set evaluation during training: greedy decoding (no timestamps, no logit filters) of each
 * utterance from its prompt, then corpus WER and CER after whisper's {@link BasicTextNormalizer}
 * (lower case, symbols and punctuation to spaces, whitespace collapsed) on references and
 * hypotheses alike; CER keeps the inner spaces as characters (jiwer's {@code cer}).
 */
public final class DevEvaluator {
    /** One dev utterance: mel [n_mels, frames] row-major, decoding prompt, reference text. */
    public record Item(float[] mel, int[] prompt, String reference) {}

    /** Corpus scores and the decoded texts in item order. */
    public record Result(double wer, double cer, ErrorRate.Counts words, ErrorRate.Counts characters, List<String> hypotheses) {}

    private final WhisperTokenizer tokenizer;
    private final BasicTextNormalizer normalizer = new BasicTextNormalizer();

    public DevEvaluator(WhisperTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Greedy transcript of one mel [n_mels, frames] from {@code prompt} (without the end token). */
    public String transcribe(WhisperModel model, float[] mel, int[] prompt) {
        int maxTokens = model.config().nTextCtx() - prompt.length;
        try (Tensor m = Tensor.of(mel, model.config().nMels(), model.config().nMelFrames());
                Tensor audio = model.encode(m);
                DecoderState state = model.newState(audio)) {
            int[] tokens = GreedyDecoder.decode(model, state, prompt, maxTokens, tokenizer.eot(), false).tokens();
            int n = tokens.length;
            if (n > 0 && tokens[n - 1] == tokenizer.eot()) n--;
            return tokenizer.decode(Arrays.copyOf(tokens, n));
        }
    }

    public Result evaluate(WhisperModel model, List<Item> items) {
        List<String> refs = new ArrayList<>();
        List<String> hyps = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        for (Item it : items) {
            String hyp = transcribe(model, it.mel(), it.prompt());
            raw.add(hyp);
            refs.add(normalizer.normalize(it.reference()));
            hyps.add(normalizer.normalize(hyp));
        }
        ErrorRate.Counts w = ErrorRate.corpusWordCounts(refs, hyps);
        ErrorRate.Counts c = ErrorRate.corpusCharCounts(refs, hyps, ErrorRate.CharMode.KEEP_SPACES);
        return new Result(w.rate(), c.rate(), w, c, raw);
    }
}
