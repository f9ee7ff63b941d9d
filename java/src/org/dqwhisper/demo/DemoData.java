package org.dqwhisper.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.train.data.WhisperLabels;
import org.dqwhisper.train.TrainingBatch;
import org.dqwhisper.train.data.Manifest;
import org.dqwhisper.train.data.ManifestEntry;

/**
 * One split of the demo corpus in memory: per utterance its language, reference text, log-mel model input
 * ({@code log_mel_spectrogram(pad_or_trim(audio))} cut to the model's {@code 2·n_audio_ctx} frames, as
 * {@code dqw finetune} computes it for the bundled models) and teacher-forcing tokens
 * ({@code <|startoftranscript|><|lang|><|transcribe|><|notimestamps|>} + text + {@code <|endoftext|>}, the text
 * with a leading space except in languages written without spaces ({@link WhisperLabels#textForLanguage}, Whisper's
 * and {@code dqw finetune}'s labelling, which the bundled teacher's second stage was trained with; the student start
 * point saw a leading space for zh too), the prompt positions not scored).
 */
public final class DemoData {
    /** One utterance. {@code mel} is row-major [n_mels, frames]. */
    public record Utterance(String id, String language, String text, float[] mel, int[] prompt, int[] input, int[] target) {}

    private final List<Utterance> utterances;
    private final int nMels;
    private final int frames;

    private DemoData(List<Utterance> utterances, int nMels, int frames) {
        this.utterances = utterances;
        this.nMels = nMels;
        this.frames = frames;
    }

    /**
     * Reads {@code manifest}, keeping at most {@code perLanguage} utterances of each language in manifest order
     * (≤ 0 keeps all), computing the features in parallel.
     */
    public static DemoData load(Path manifest, WhisperTokenizer tokenizer, int nMels, int frames, int maxTokens, int perLanguage)
            throws IOException {
        if (frames < 1 || frames > LogMelSpectrogram.CHUNK_FRAMES) {
            throw new IllegalArgumentException("model input of " + frames + " frames: must be in [1, " + LogMelSpectrogram.CHUNK_FRAMES + "]");
        }
        List<ManifestEntry> kept = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ManifestEntry e : Manifest.read(manifest).entries()) {
            if (e.language() == null) throw new IllegalArgumentException(manifest + ": utterance " + e.id() + " has no language");
            int c = counts.merge(e.language(), 1, Integer::sum);
            if (perLanguage <= 0 || c <= perLanguage) kept.add(e);
        }
        if (kept.isEmpty()) throw new IllegalArgumentException(manifest + ": no utterances");
        ThreadLocal<LogMelSpectrogram> fronts = ThreadLocal.withInitial(() -> new LogMelSpectrogram(nMels, false));
        Utterance[] out = new Utterance[kept.size()];
        IOException[] failure = new IOException[1];
        IntStream.range(0, kept.size()).parallel().forEach(i -> {
            ManifestEntry e = kept.get(i);
            try {
                float[] pcm = AudioLoader.load(e.audio());
                if (pcm.length > LogMelSpectrogram.CHUNK_SAMPLES) {
                    throw new IllegalArgumentException(e.audio() + ": longer than 30 s");
                }
                MelSpectrogram full = fronts.get().audioPaddedInput(pcm);
                float[] mel = (frames == full.frames() ? full : full.segment(0, frames, frames)).toFloatArray();
                int[] prompt = tokenizer.sotSequenceIncludingNoTimestamps(e.language(), WhisperTokenizer.Task.TRANSCRIBE);
                // Whisper's convention, as dqw finetune / distill label it: a leading space, except for languages
                // written without spaces (zh, ja, ...), so the teacher's soft labels come from sequences like its own
                int[] text = tokenizer.encode(WhisperLabels.textForLanguage(e.text(), e.language()));
                int[] seq = Arrays.copyOf(prompt, prompt.length + text.length + 1);
                System.arraycopy(text, 0, seq, prompt.length, text.length);
                seq[seq.length - 1] = tokenizer.eot();
                if (seq.length - 1 > maxTokens) {
                    throw new IllegalArgumentException(e.id() + ": " + (seq.length - 1) + " tokens exceed n_text_ctx " + maxTokens);
                }
                int[] target = Arrays.copyOfRange(seq, 1, seq.length);
                Arrays.fill(target, 0, prompt.length - 1, TrainingBatch.IGNORE_INDEX);
                out[i] = new Utterance(e.id(), e.language(), e.text(), mel, prompt, Arrays.copyOf(seq, seq.length - 1), target);
            } catch (IOException ex) {
                synchronized (failure) {
                    failure[0] = ex;
                }
            }
        });
        if (failure[0] != null) throw failure[0];
        return new DemoData(List.of(out), nMels, frames);
    }

    public List<Utterance> utterances() {
        return utterances;
    }

    public int size() {
        return utterances.size();
    }

    public Utterance get(int i) {
        return utterances.get(i);
    }

    public int nMels() {
        return nMels;
    }

    public int frames() {
        return frames;
    }

    /** The log-mel of utterances {@code indices} as one new [B, n_mels, frames] tensor. */
    public Tensor mel(int[] indices) {
        int size = nMels * frames;
        float[] mel = new float[indices.length * size];
        for (int i = 0; i < indices.length; i++) System.arraycopy(get(indices[i]).mel(), 0, mel, i * size, size);
        return Tensor.of(mel, indices.length, nMels, frames);
    }

    /** Languages in first-seen order. */
    public List<String> languages() {
        return utterances.stream().map(Utterance::language).distinct().toList();
    }
}
