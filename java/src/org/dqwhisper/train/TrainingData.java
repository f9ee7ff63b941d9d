package org.dqwhisper.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.train.data.Batcher;
import org.dqwhisper.train.data.FeatureCache;
import org.dqwhisper.train.data.LogMelFeatures;
import org.dqwhisper.train.data.Manifest;
import org.dqwhisper.train.data.ManifestBatchSource;
import org.dqwhisper.train.data.ManifestEntry;
import org.dqwhisper.train.data.WhisperLabels;
import org.dqwhisper.whisper.WhisperConfig;

/**
 * The data side of a training or distillation run over JSON-lines manifests, for one model shape: log-mel
 * windows from a {@link FeatureCache} (whisper.transcribe's framing, the input {@code dqw transcribe} feeds; in
 * memory up to a budget and, when a folder is given, on disk) cut to the model's {@code 2 * n_audio_ctx} frames;
 * decoder labels from {@link WhisperLabels} (loss on every target after the start token, sequences limited to the
 * model's {@code n_text_ctx}); length-bucketed shuffled batches from a {@link Batcher}.
 */
public final class TrainingData {
    private final WhisperLabels labels;
    private final FeatureCache features;
    private final int frames;

    /**
     * @param config       the model that is trained (the student, when distilling)
     * @param featureCache folder of the on-disk feature cache (created), or null for memory only
     * @param memoryBytes  bytes of features kept in memory
     */
    public TrainingData(WhisperConfig config, Path featureCache, long memoryBytes) {
        this(config, featureCache, memoryBytes, FeatureCache.Framing.TRANSCRIBE_WINDOW);
    }

    /**
     * @param framing how an utterance becomes the model's input ({@link FeatureCache.Framing#TRANSCRIBE_WINDOW}, what
     *                {@code dqw transcribe} feeds, or {@link FeatureCache.Framing#PADDED_AUDIO}, Hugging Face's and the
     *                demo's framing)
     */
    public TrainingData(WhisperConfig config, Path featureCache, long memoryBytes, FeatureCache.Framing framing) {
        if (config.nMelFrames() > LogMelFeatures.MODEL_FRAMES) {
            throw new IllegalArgumentException("model input of " + config.nMelFrames() + " frames: only up to "
                    + LogMelFeatures.MODEL_FRAMES + " (30 s) is supported");
        }
        WhisperTokenizer tokenizer = WhisperTokenizer.forVocabSize(config.nVocab());
        this.labels = new WhisperLabels(tokenizer, WhisperLabels.PromptLoss.ALL_AFTER_START, config.nTextCtx());
        this.features = new FeatureCache(config.nMels(), framing, memoryBytes, featureCache);
        this.frames = config.nMelFrames();
    }

    public WhisperLabels labels() {
        return labels;
    }

    public FeatureCache features() {
        return features;
    }

    /** Input frames of the model. */
    public int frames() {
        return frames;
    }

    /**
     * The endless, seekable batch stream over {@code manifest} (every transcript is tokenized here, so a bad one
     * fails before training starts, naming its line).
     */
    public ManifestBatchSource source(Path manifest, int batchSize, long seed) throws IOException {
        Batcher batcher = new Batcher(Manifest.read(manifest).entries(), labels, batchSize, seed);
        return new ManifestBatchSource(batcher, features, frames);
    }

    /**
     * The utterances of a dev manifest for greedy decoding, in file order: model input, prompt, reference. The
     * prompts are checked here; each input is made when the list's element is read (through the feature cache),
     * so a large dev set is never in memory at once. A read error surfaces as an {@link UncheckedIOException}
     * naming the utterance.
     */
    public List<DevEvaluator.Item> devItems(Path manifest) throws IOException {
        List<ManifestEntry> entries = Manifest.read(manifest).entries();
        List<int[]> prompts = new ArrayList<>();
        for (ManifestEntry e : entries) {
            try {
                prompts.add(labels.prompt(e.language()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(manifest + ": utterance '" + e.id() + "' (manifest line " + e.line() + "): "
                        + ex.getMessage(), ex);
            }
        }
        int nMels = features.nMels();
        return new AbstractList<>() {
            @Override
            public DevEvaluator.Item get(int i) {
                ManifestEntry e = entries.get(i);
                float[] mel = new float[nMels * frames];
                try {
                    Batcher.features(e, features).copyTo(mel, 0, frames);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
                return new DevEvaluator.Item(mel, prompts.get(i), e.text());
            }

            @Override
            public int size() {
                return entries.size();
            }
        };
    }
}
