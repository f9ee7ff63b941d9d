package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.text.WordTokens;

/**
 * Whisper's {@code find_alignment}: word start and end times within one window from the cross-attention of the
 * alignment heads, plus each word's mean token probability.
 *
 * <ol>
 *   <li>Run the decoder over {@code sot_sequence, <|notimestamps|>, text tokens, <|endoftext|>}.</li>
 *   <li>Per alignment head: keep the first {@code num_frames / 2} audio positions of the cross-attention scores,
 *       softmax over them, standardise each position over the tokens (population std and mean), median-filter
 *       along time (width 7); then average the heads.</li>
 *   <li>DTW on the negated matrix rows from {@code <|notimestamps|>} to the last text token (row k is the position
 *       that predicts text token k); the audio position where the path first reaches row k is token k's start
 *       time (50 positions per second).</li>
 *   <li>Split the tokens into words (spaces, or characters for zh/ja/th/lo/my/yue); a word spans from its first
 *       token's time to the next word's first token's time.</li>
 * </ol>
 * Computed in double where whisper uses float32 (only the DTW costs keep float32, for its tie rules). Where a
 * position has the same weight for every token (standard deviation 0; whisper would produce NaN), the
 * standardised value is 0.
 */
final class WordAligner {
    /** Seconds per mel frame (hop 160 at 16 kHz). */
    private static final double HOP_SECONDS = 0.01;
    /** Logit rows fetched per decoder call, to bound the memory of the token-probability pass. */
    private static final int LOGIT_CHUNK = 32;

    private WordAligner() {}

    static List<AlignedWord> findAlignment(SpeechModel model, AudioFeatures audio, int[] sotSequence,
            int[] textTokens, int numFrames, String language, int medianFilterWidth) {
        if (textTokens.length == 0) {
            return new ArrayList<>();
        }
        WhisperTokenizer tokenizer = model.tokenizer();
        int eot = tokenizer.eot();
        int[] tokens = new int[sotSequence.length + textTokens.length + 2];
        System.arraycopy(sotSequence, 0, tokens, 0, sotSequence.length);
        tokens[sotSequence.length] = tokenizer.noTimestamps();
        System.arraycopy(textTokens, 0, tokens, sotSequence.length + 1, textTokens.length);
        tokens[tokens.length - 1] = eot;

        double[] tokenProbs = textTokenProbabilities(model, audio, tokens, sotSequence.length, textTokens);
        double[][] matrix = alignmentMatrix(model, audio, tokens, numFrames, medianFilterWidth);
        if (matrix == null) {
            return new ArrayList<>();
        }
        double[][] cost = new double[textTokens.length + 1][];
        for (int k = 0; k < cost.length; k++) {
            double[] row = matrix[sotSequence.length + k];
            cost[k] = new double[row.length];
            for (int f = 0; f < row.length; f++) {
                cost[k][f] = -row[f];
            }
        }
        int[][] path = Dtw.path(cost);

        int[] withEot = Arrays.copyOf(textTokens, textTokens.length + 1);
        withEot[textTokens.length] = eot;
        List<WordTokens> words = tokenizer.splitToWordTokens(withEot, language);
        if (words.size() <= 1) {
            return new ArrayList<>();
        }
        double positionsPerSecond = model.nAudioCtx() / (model.windowFrames() * HOP_SECONDS); // 50 for every Whisper
        double[] jumpTimes = jumpTimes(path, cost.length, positionsPerSecond);
        List<AlignedWord> out = new ArrayList<>(words.size() - 1);
        int boundary = 0;
        for (int w = 0; w < words.size() - 1; w++) { // the last word is <|endoftext|>
            int[] wordTokens = words.get(w).tokens();
            int next = boundary + wordTokens.length;
            double sum = 0;
            for (int k = boundary; k < next; k++) {
                sum += tokenProbs[k];
            }
            out.add(new AlignedWord(words.get(w).word(), wordTokens, jumpTimes[boundary], jumpTimes[next],
                    sum / wordTokens.length));
            boundary = next;
        }
        return out;
    }

    /** Time of the first path step on each row (whisper's {@code jump_times}). */
    static double[] jumpTimes(int[][] path, int rows, double positionsPerSecond) {
        double[] times = new double[rows];
        int found = 0;
        for (int k = 0; k < path[0].length; k++) {
            if (k == 0 || path[0][k] != path[0][k - 1]) {
                times[found++] = path[1][k] / positionsPerSecond;
            }
        }
        if (found != rows) {
            throw new IllegalStateException("DTW path visits " + found + " rows of " + rows);
        }
        return times;
    }

    /** Probability of each text token given the ones before it, softmax over the text vocabulary only. */
    private static double[] textTokenProbabilities(SpeechModel model, AudioFeatures audio, int[] tokens,
            int sotLength, int[] textTokens) {
        int eot = model.tokenizer().eot();
        double[] probs = new double[textTokens.length];
        try (DecoderSession session = model.startDecoder(audio)) {
            session.feed(Arrays.copyOf(tokens, sotLength));
            // position sotLength + k (the <|notimestamps|> token for k = 0) predicts text token k
            for (int from = 0; from < textTokens.length; from += LOGIT_CHUNK) {
                int to = Math.min(textTokens.length, from + LOGIT_CHUNK);
                int[] chunk = Arrays.copyOfRange(tokens, sotLength + from, sotLength + to);
                int[] rows = new int[chunk.length];
                for (int r = 0; r < rows.length; r++) {
                    rows[r] = r;
                }
                float[][] logits = session.feed(chunk, rows);
                for (int r = 0; r < rows.length; r++) {
                    int k = from + r;
                    probs[k] = Math.exp(logits[r][textTokens[k]] - Softmax.logSumExp(logits[r], 0, eot));
                }
            }
        }
        return probs;
    }

    /**
     * The head-averaged, standardised, median-filtered attention matrix {@code [T][num_frames / 2]}, or null when
     * the window is too short to hold one audio position.
     */
    static double[][] alignmentMatrix(SpeechModel model, AudioFeatures audio, int[] tokens, int numFrames,
            int medianFilterWidth) {
        AlignmentHeads heads = model.alignmentHeads();
        float[][][] scores = model.crossAttentionScores(audio, tokens, heads);
        int positions = numFrames / 2;
        if (scores.length != heads.size()) {
            throw new IllegalStateException("model returned cross-attention of " + scores.length + " heads, asked "
                    + heads.size());
        }
        if (positions <= 0) {
            return null;
        }
        int t = tokens.length;
        double[][] matrix = new double[t][positions];
        for (float[][] head : scores) {
            if (head.length != t || head[0].length < positions) {
                throw new IllegalStateException("cross-attention scores of a head must be [" + t + "][>= "
                        + positions + "], got [" + head.length + "][" + (head.length > 0 ? head[0].length : 0) + "]");
            }
            double[][] w = new double[t][];
            for (int i = 0; i < t; i++) {
                double[] p = Softmax.softmax(head[i], 0, positions);
                w[i] = p;
            }
            standardiseOverTokens(w);
            for (int i = 0; i < t; i++) {
                double[] filtered = MedianFilter.apply(w[i], medianFilterWidth);
                for (int f = 0; f < positions; f++) {
                    matrix[i][f] += filtered[f] / scores.length;
                }
            }
        }
        return matrix;
    }

    /** {@code (w - mean) / std} per column over the rows, population std; 0 where std is 0. */
    private static void standardiseOverTokens(double[][] w) {
        int t = w.length;
        int positions = w[0].length;
        for (int f = 0; f < positions; f++) {
            double mean = 0;
            for (double[] row : w) {
                mean += row[f];
            }
            mean /= t;
            double var = 0;
            for (double[] row : w) {
                var += (row[f] - mean) * (row[f] - mean);
            }
            double std = Math.sqrt(var / t);
            for (double[] row : w) {
                row[f] = std == 0 ? 0 : (row[f] - mean) / std;
            }
        }
    }
}
