package org.dqwhisper.train.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Length-bucketed batches with a data order that is a pure function of {@code (seed, epoch)}: a run resumed at
 * epoch {@code e}, batch {@code k} sees exactly the batches an uninterrupted run would.
 *
 * <p>One epoch: the utterances are shuffled; the shuffled list is cut into pools of {@code poolBatches * batchSize};
 * each pool is sorted by decoder length (then duration, then position), and cut into batches, so a batch holds
 * utterances of similar token length and little padding; finally the order of all batches is shuffled. Every
 * utterance is in exactly one batch per epoch; the last batch of a pool may be smaller. (The encoder input is
 * always 3000 frames, so only the decoder length matters for padding; duration just breaks ties.)
 */
public final class Batcher {
    /** Default number of batches sorted together. */
    public static final int DEFAULT_POOL_BATCHES = 16;

    private final List<ManifestEntry> entries;
    private final List<WhisperLabels.Labels> labels;
    private final int batchSize;
    private final int poolBatches;
    private final long seed;
    private final int endOfText;

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
        this.endOfText = whisperLabels.tokenizer().eot();
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

    /** Loads the utterances {@code indices}: features from {@code features}, tokens padded to the longest. */
    public TrainingBatch load(int[] indices, FeatureCache features) throws IOException {
        int b = indices.length;
        int nMels = features.nMels();
        int frames = LogMelFeatures.MODEL_FRAMES;
        int tokens = 0;
        for (int i : indices) {
            tokens = Math.max(tokens, labels.get(i).length());
        }
        float[] mel = new float[b * nMels * frames];
        int[] content = new int[b];
        int[] input = new int[b * tokens];
        int[] target = new int[b * tokens];
        int[] lengths = new int[b];
        List<String> ids = new ArrayList<>(b);
        List<String> languages = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            ManifestEntry e = entries.get(indices[r]);
            LogMelFeatures f = features.get(e.audio());
            f.copyTo(mel, r * nMels * frames);
            content[r] = f.contentFrames();
            WhisperLabels.Labels l = labels.get(indices[r]);
            lengths[r] = l.length();
            System.arraycopy(l.input(), 0, input, r * tokens, l.length());
            Arrays.fill(input, r * tokens + l.length(), (r + 1) * tokens, endOfText);
            System.arraycopy(l.target(), 0, target, r * tokens, l.length());
            Arrays.fill(target, r * tokens + l.length(), (r + 1) * tokens, WhisperLabels.IGNORE_INDEX);
            ids.add(e.id());
            languages.add(e.language());
        }
        return new TrainingBatch(ids, languages, nMels, frames, mel, content, tokens, input, target, lengths);
    }

    /** SplitMix64 of the seed and epoch, so neighbouring epochs get unrelated shuffles. */
    static long mix(long seed, long epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
