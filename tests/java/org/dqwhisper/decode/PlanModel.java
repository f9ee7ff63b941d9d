package org.dqwhisper.decode;

import java.util.Arrays;
import java.util.Map;
import org.dqwhisper.text.WhisperTokenizer;

/**
 * A scripted English-only model for long-form tests. Each window is recognised by its first mel value (the test's
 * mel source stores the frame index in every band), and emits the planned tokens for the seek where it starts,
 * then end-of-text. Windows without a plan emit {@code <|0.00|>} and end-of-text (no text). Cross-attention gives alignment row j (from
 * {@code <|notimestamps|>}) the audio positions {@code [20 j, 20 j + 20)}, so text token k starts at 0.4 k s.
 */
public final class PlanModel {
    static final WhisperTokenizer TOK = WhisperTokenizer.forVocabSize(51864);
    static final int V = TOK.vocabularySize();
    static final int TB = TOK.timestampBegin();
    static final int EOT = TOK.eot();

    private PlanModel() {}

    /** A single-token word, e.g. {@code word(" one")}. */
    public static int word(String text) {
        int[] ids = TOK.encode(text);
        if (ids.length != 1) {
            throw new IllegalArgumentException("'" + text + "' is " + ids.length + " tokens");
        }
        return ids[0];
    }

    public static int ts(double seconds) {
        return TB + (int) Math.round(seconds / 0.02);
    }

    /**
     * @param plans seek frame to planned sampled tokens
     * @param confidence logit of the planned token (every other token has logit -10)
     * @param noSpeechLogit logit of {@code <|nospeech|>} at the start-of-transcript position (which, for this
     *     English-only model, is also the first step's row: the planned first token has {@code confidence} there)
     */
    public static ToyModel create(Map<Integer, int[]> plans, float confidence, float noSpeechLogit) {
        ToyModel.Script script = (context, mel) -> {
            int seek = Math.round(mel[0]);
            int[] plan = plans.getOrDefault(seek, new int[] {TB}); // unplanned: a confident empty window
            int sot = indexOf(context, TOK.sot());
            int k;
            int target;
            if (sot + 1 < context.length && context[sot + 1] == TOK.noTimestamps()) { // word alignment pass: text tokens only
                int[] text = Arrays.stream(plan).filter(t -> t < EOT).toArray();
                k = context.length - (sot + 2);
                target = k < text.length ? text[k] : EOT;
            } else {
                k = context.length - (sot + 1);
                target = k < plan.length ? plan[k] : EOT;
            }
            float[] logits = ToyModel.filled(V, -10);
            logits[target] = confidence;
            if (sot == context.length - 1) { // the sot row also gives the no-speech probability
                logits[TOK.noSpeech()] = noSpeechLogit;
            }
            return logits;
        };
        return new ToyModel(TOK, 2, script, PlanModel::blocks);
    }

    private static float[][][] blocks(int[] tokens, float[] mel, AlignmentHeads heads, int nAudioCtx) {
        int t = tokens.length;
        int rows = t - 2; // <|notimestamps|> .. last text token
        float[][][] out = new float[heads.size()][t][nAudioCtx];
        for (int h = 0; h < heads.size(); h++) {
            for (int r = 0; r < t; r++) {
                for (int f = 0; f < nAudioCtx; f++) {
                    boolean high;
                    if (r == 0 || r == t - 1) { // sot and eot rows look at the audio after the text
                        high = f >= rows * 20;
                    } else {
                        int j = r - 1;
                        high = f >= j * 20 && f < j * 20 + 20;
                    }
                    out[h][r][f] = high ? 8 : 0;
                }
            }
        }
        return out;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new IllegalStateException("no sot in " + Arrays.toString(a));
    }

    /** A mel source of {@code contentFrames} whose every value is its frame index (2 bands). */
    public static MelSource frameIndexMel(int contentFrames) {
        int total = contentFrames + 3000;
        float[] mel = new float[2 * total];
        for (int band = 0; band < 2; band++) {
            for (int f = 0; f < total; f++) {
                mel[band * total + f] = f;
            }
        }
        return MelSource.of(mel, 2, total, contentFrames);
    }
}
