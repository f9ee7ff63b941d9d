package org.dqwhisper.train.data;

import java.util.List;
import org.dqwhisper.tensor.Tensor;

/**
 * One batch of {@code B} utterances, row-major arrays:
 * <ul>
 * <li>{@code mel}: {@code [B, nMels, frames]} log-mel windows (frames = 3000);</li>
 * <li>{@code contentFrames}: {@code [B]} frames of each window that hold audio;</li>
 * <li>{@code inputTokens}: {@code [B, T]} decoder inputs, padded with end-of-text after each sequence;</li>
 * <li>{@code targetTokens}: {@code [B, T]} targets, padded with {@link WhisperLabels#IGNORE_INDEX};</li>
 * <li>{@code tokenLengths}: {@code [B]} unpadded lengths, {@code T = max(tokenLengths)}.</li>
 * </ul>
 */
public record TrainingBatch(List<String> ids, List<String> languages, int nMels, int frames, float[] mel,
                            int[] contentFrames, int tokens, int[] inputTokens, int[] targetTokens,
                            int[] tokenLengths) {
    public TrainingBatch {
        int b = ids.size();
        if (languages.size() != b || mel.length != (long) b * nMels * frames || contentFrames.length != b
            || inputTokens.length != (long) b * tokens || targetTokens.length != (long) b * tokens
            || tokenLengths.length != b) {
            throw new IllegalArgumentException("inconsistent batch of " + b + " utterances: mel " + mel.length
                + " for " + nMels + "x" + frames + ", tokens " + inputTokens.length + "/" + targetTokens.length
                + " for T=" + tokens);
        }
        ids = List.copyOf(ids);
        languages = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(languages));
    }

    public int size() {
        return ids.size();
    }

    /** A new off-heap F32 tensor {@code [B, nMels, frames]} (the caller closes it). */
    public Tensor melTensor() {
        return Tensor.of(mel, size(), nMels, frames);
    }

    /** A new S32 tensor {@code [B, T]} of decoder inputs. */
    public Tensor inputTensor() {
        return Tensor.of(inputTokens, size(), tokens);
    }

    /** A new S32 tensor {@code [B, T]} of targets. */
    public Tensor targetTensor() {
        return Tensor.of(targetTokens, size(), tokens);
    }

    /** The same batch with other log-mel values (e.g. after SpecAugment). */
    public TrainingBatch withMel(float[] newMel) {
        return new TrainingBatch(ids, languages, nMels, frames, newMel, contentFrames, tokens, inputTokens,
            targetTokens, tokenLengths);
    }
}
