package org.dqwhisper.train.jsonl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.train.TrainingBatch;

/**
 * Model inputs for manifest utterances: the log-mel of the audio padded to 30 s (whisper's
 * {@code log_mel_spectrogram(pad_or_trim(audio))}), cut to the model's {@code 2·n_audio_ctx} frames,
 * and the token sequence {@code <|startoftranscript|><|lang|><|transcribe|><|notimestamps|> text
 * <|endoftext|>} (English-only vocabularies: no language and task tokens). The text is encoded with
 * a leading space, as whisper's own transcripts begin. Targets of the forced prompt are ignored: the
 * loss covers the text and the end token. Mels are cached (least recently used first out) up to a
 * byte budget.
 */
public final class UtteranceFeatures {
    private final List<JsonlManifest.Entry> entries;
    private final WhisperTokenizer tokenizer;
    private final LogMelSpectrogram melFront;
    private final int frames;
    private final int maxTokens;
    private final int[][] sequences;
    private final int[] promptLength;
    private final Map<Integer, float[]> cache;
    private final long cacheEntries;

    /**
     * @param nMels 80 or 128, the model's mel bins
     * @param frames the model's input frames (2 × n_audio_ctx, at most 3000)
     * @param maxTokens the decoder context (n_text_ctx): sequences must fit
     * @param cacheBytes memory for cached mels
     */
    public UtteranceFeatures(List<JsonlManifest.Entry> entries, WhisperTokenizer tokenizer, int nMels, int frames, int maxTokens, long cacheBytes) {
        if (frames < 1 || frames > LogMelSpectrogram.CHUNK_FRAMES) {
            throw new IllegalArgumentException("model input of " + frames + " frames: only up to " + LogMelSpectrogram.CHUNK_FRAMES
                    + " (30 s) is supported");
        }
        this.entries = List.copyOf(entries);
        this.tokenizer = tokenizer;
        this.melFront = new LogMelSpectrogram(nMels);
        this.frames = frames;
        this.maxTokens = maxTokens;
        this.sequences = new int[entries.size()][];
        this.promptLength = new int[entries.size()];
        for (int i = 0; i < entries.size(); i++) tokenize(i);
        this.cacheEntries = Math.max(1, cacheBytes / ((long) nMels * frames * 4));
        this.cache = new LinkedHashMap<>(16, 0.75f, true);
    }

    private void tokenize(int i) {
        JsonlManifest.Entry e = entries.get(i);
        int[] prompt = prompt(e.language(), e.line());
        int[] text = tokenizer.encode(" " + e.text().strip());
        int[] seq = Arrays.copyOf(prompt, prompt.length + text.length + 1);
        System.arraycopy(text, 0, seq, prompt.length, text.length);
        seq[seq.length - 1] = tokenizer.eot();
        if (seq.length - 1 > maxTokens) {
            throw new IllegalArgumentException("line " + e.line() + " (" + e.audio().getFileName() + "): " + (seq.length - 1)
                    + " decoder tokens exceed the model's n_text_ctx " + maxTokens);
        }
        sequences[i] = seq;
        promptLength[i] = prompt.length;
    }

    /** The decoding prompt of an utterance in {@code language}. */
    public int[] prompt(String language, int line) {
        if (!tokenizer.isMultilingual()) return tokenizer.sotSequenceIncludingNoTimestamps(null, null);
        if (language == null) throw new IllegalArgumentException("line " + line + ": a multilingual model needs \"language\"");
        try {
            return tokenizer.sotSequenceIncludingNoTimestamps(language, WhisperTokenizer.Task.TRANSCRIBE);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("line " + line + ": " + ex.getMessage(), ex);
        }
    }

    public int size() {
        return entries.size();
    }

    public JsonlManifest.Entry entry(int i) {
        return entries.get(i);
    }

    public int frames() {
        return frames;
    }

    public int nMels() {
        return melFront.nMels();
    }

    /** The prompt of utterance i (for greedy decoding). */
    public int[] promptOf(int i) {
        return Arrays.copyOf(sequences[i], promptLength[i]);
    }

    /** Decoder input ids of utterance i: the sequence without its last token. */
    public int[] decoderInput(int i) {
        return Arrays.copyOf(sequences[i], sequences[i].length - 1);
    }

    /** Next-token targets of utterance i, the prompt's positions ignored. */
    public int[] targets(int i) {
        int[] seq = sequences[i];
        int[] t = Arrays.copyOfRange(seq, 1, seq.length);
        for (int j = 0; j < promptLength[i] - 1; j++) t[j] = TrainingBatch.IGNORE_INDEX;
        return t;
    }

    /** The mel of utterance i, row-major [n_mels, frames] (do not modify: it may be cached). */
    public synchronized float[] mel(int i) {
        float[] m = cache.get(i);
        if (m != null) return m;
        JsonlManifest.Entry e = entries.get(i);
        float[] pcm;
        try {
            pcm = AudioLoader.load(e.audio());
        } catch (IOException ex) {
            throw new UncheckedIOException("line " + e.line() + ": cannot read " + e.audio() + ": " + ex.getMessage(), ex);
        }
        if (pcm.length > LogMelSpectrogram.CHUNK_SAMPLES) {
            throw new IllegalArgumentException("line " + e.line() + ": " + e.audio() + " is " + pcm.length / (double) LogMelSpectrogram.SAMPLE_RATE
                    + " s long; training takes utterances of at most 30 s");
        }
        MelSpectrogram full = melFront.audioPaddedInput(pcm);
        m = (frames == full.frames() ? full : full.segment(0, frames, frames)).toFloatArray();
        if (cache.size() >= cacheEntries) cache.remove(cache.keySet().iterator().next());
        cache.put(i, m);
        return m;
    }

    /** Indices 0..n-1 as a list (for evaluation in manifest order). */
    public List<Integer> indices() {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < size(); i++) l.add(i);
        return l;
    }
}
