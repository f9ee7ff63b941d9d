package org.dqwhisper.train.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.train.TrainingBatch;

/**
 * Length-bucketed batches with a data order that is a pure function of {@code (seed, epoch)}: a run resumed at
 * epoch {@code e}, batch {@code k} sees exactly the batches an uninterrupted run would.
 *
 * <p>One epoch: the utterances are shuffled; the shuffled list is cut into pools of {@code poolBatches * batchSize};
 * each pool is sorted by decoder length (then duration, then position), and cut into batches, so a batch holds
 * utterances of similar token length and little padding; finally the order of all batches is shuffled. Every
 * utterance is in exactly one batch per epoch; the last batch of a pool may be smaller. (The encoder input has
 * the model's fixed frame count, so only the decoder length matters for padding; duration just breaks ties.)
 */
public final class Batcher {
    /** Default number of batches sorted together. */
    public static final int DEFAULT_POOL_BATCHES = 16;

    private final List<ManifestEntry> entries;
    private final List<WhisperLabels.Labels> labels;
    private final int batchSize;
    private final int poolBatches;
    private final long seed;

    /**
     * Tokenizes every transcript up front, so a bad one fails here, naming its line.
     *
     * @throws IllegalArgumentException for a transcript the labels refuse (no language, too long)
     */
    public Batcher(List<ManifestEntry> entries, WhisperLabels whisperLabels, int batchSize, int poolBatches, long seed) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no utterances to batch");
        }
        if (batchSize < 1 || poolBatches < 1) {
            throw new IllegalArgumentException("batch size and pool batches must be >= 1, got " + batchSize + ", "
                + poolBatches);
        }
        this.entries = List.copyOf(entries);
        this.batchSize = batchSize;
        this.poolBatches = poolBatches;
        this.seed = seed;
        List<WhisperLabels.Labels> l = new ArrayList<>(entries.size());
        for (ManifestEntry e : entries) {
            try {
                l.add(whisperLabels.labels(e.text(), e.language()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("utterance '" + e.id() + "' (manifest line " + e.line() + "): "
                    + ex.getMessage(), ex);
            }
        }
        this.labels = List.copyOf(l);
    }

    public Batcher(List<ManifestEntry> entries, WhisperLabels whisperLabels, int batchSize, long seed) {
        this(entries, whisperLabels, batchSize, DEFAULT_POOL_BATCHES, seed);
    }

    public int size() {
        return entries.size();
    }

    public List<ManifestEntry> entries() {
        return entries;
    }

    /** The labels of utterance {@code index}. */
    public WhisperLabels.Labels labels(int index) {
        return labels.get(index);
    }

    /** The batches of {@code epoch} (0-based), as indices into {@link #entries()}. */
    public List<int[]> epoch(long epoch) {
        Random rng = new Random(mix(seed, epoch));
        List<Integer> order = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, rng);
        Comparator<Integer> byLength = Comparator.<Integer>comparingInt(i -> labels.get(i).length())
            .thenComparingDouble(i -> entries.get(i).duration() == null ? 0 : entries.get(i).duration())
            .thenComparingInt(i -> i);
        List<int[]> batches = new ArrayList<>();
        int pool = batchSize * poolBatches;
        for (int from = 0; from < order.size(); from += pool) {
            List<Integer> sorted = new ArrayList<>(order.subList(from, Math.min(order.size(), from + pool)));
            sorted.sort(byLength);
            for (int b = 0; b < sorted.size(); b += batchSize) {
                batches.add(sorted.subList(b, Math.min(sorted.size(), b + batchSize)).stream()
                    .mapToInt(Integer::intValue).toArray());
            }
        }
        Collections.shuffle(batches, rng);
        return batches;
    }

    /** Batches per epoch (the same for every epoch). */
    public int batchesPerEpoch() {
        int pool = batchSize * poolBatches;
        int fullPools = entries.size() / pool;
        int rest = entries.size() % pool;
        return fullPools * poolBatches + (rest + batchSize - 1) / batchSize;
    }

    /**
     * Loads the utterances {@code indices} as a batch for a model of {@code frames} input frames
     * ({@code 2 * n_audio_ctx}; the 30-s window is cut to it): features from {@code features}, the labels'
     * teacher-forcing rows unpadded (the trainer pads), the audio frames of each row clipped to {@code frames}.
     *
     * @throws IOException naming the utterance and its manifest line when its audio cannot be read
     */
    public TrainingBatch load(int[] indices, FeatureCache features, int frames) throws IOException {
        int b = indices.length;
        int nMels = features.nMels();
        float[] mel = new float[b * nMels * frames];
        int[] content = new int[b];
        int[][] inputs = new int[b][];
        int[][] targets = new int[b][];
        for (int r = 0; r < b; r++) {
            ManifestEntry e = entries.get(indices[r]);
            LogMelFeatures f = features(e, features);
            f.copyTo(mel, r * nMels * frames, frames);
            content[r] = Math.min(f.contentFrames(), frames);
            WhisperLabels.Labels l = labels.get(indices[r]);
            inputs[r] = l.input().clone();
            targets[r] = l.target().clone();
        }
        Tensor melTensor = Tensor.of(mel, b, nMels, frames);
        try {
            return new TrainingBatch(melTensor, inputs, targets, content);
        } catch (RuntimeException ex) {
            melTensor.close();
            throw ex;
        }
    }

    /** The features of one utterance; a read or length problem names the utterance and its manifest line. */
    public static LogMelFeatures features(ManifestEntry e, FeatureCache features) throws IOException {
        String where = "utterance '" + e.id() + "' (manifest line " + e.line() + ", " + e.audio() + "): ";
        try {
            return features.get(e.audio());
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(where + ex.getMessage(), ex);
        } catch (IOException ex) {
            throw new IOException(where + ex.getMessage(), ex);
        }
    }

    /** SplitMix64 of the seed and epoch, so neighbouring epochs get unrelated shuffles. */
    static long mix(long seed, long epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
