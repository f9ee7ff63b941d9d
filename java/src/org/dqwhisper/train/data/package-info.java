/**
 * Training data: {@link org.dqwhisper.train.data.Manifest} (JSON lines) → {@link org.dqwhisper.train.data.Batcher}
 * (length buckets, data order a function of seed and epoch) → {@link org.dqwhisper.train.TrainingBatch} (through
 * {@link org.dqwhisper.train.data.ManifestBatchSource}, the stream a run reads), with
 * log-mel inputs from {@link org.dqwhisper.train.data.FeatureCache} (the window inference sees, see its
 * {@code Framing}), decoder labels from {@link org.dqwhisper.train.data.WhisperLabels}, and optional
 * {@link org.dqwhisper.train.data.SpecAugment}.
 */
package org.dqwhisper.train.data;
