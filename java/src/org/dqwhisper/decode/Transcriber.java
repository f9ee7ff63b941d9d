package org.dqwhisper.decode;

import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long-form transcription, as whisper's {@code transcribe()}: 30 s windows over the mel spectrogram, each decoded
 * with temperature fallback, cut into segments by its timestamp tokens, optionally timed word by word, with the
 * seek moved by the decoded timestamps (see {@link WindowSegments}), silent windows skipped, and the text so far
 * fed as the prompt of the next window.
 *
 * <p>Stateless apart from the model: one instance may transcribe several recordings at once from several threads.
 * Every window's encoder output and decoder sessions are closed before the next window starts, so memory does not
 * grow with the length of the recording.
 */
public final class Transcriber {
    private static final Logger LOG = LoggerFactory.getLogger(Transcriber.class);

    private final SpeechModel model;

    public Transcriber(SpeechModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    public Transcription transcribe(MelSource mel, TranscribeOptions options) {
        return transcribe(mel, options, TranscriptionListener.NONE);
    }

    /**
     * @throws IllegalArgumentException when the mel source has another number of bands than the model
     */
    public Transcription transcribe(MelSource mel, TranscribeOptions options, TranscriptionListener listener) {
        checkInput(model, mel);
        TranscriptionRun run = new TranscriptionRun(model, mel, options, listener);
        for (TranscriptionRun.Window w = run.nextWindow(); w != null; w = run.nextWindow()) {
            try (AudioFeatures audio = model.encode(run.windowMel(w));
                    WindowDecoder decoder = new WindowDecoder(model, audio)) {
                DecodingResult result = decodeWithFallback(decoder, options, run.language(), w.prompt(), w.seek());
                run.complete(w, audio, result);
            }
        }
        return run.result();
    }

    /** The checks {@link #transcribe} makes before reading a mel source. */
    static void checkInput(SpeechModel model, MelSource mel) {
        if (mel.nMels() != model.nMels()) {
            throw new IllegalArgumentException("mel spectrogram has " + mel.nMels() + " bands, the model expects "
                    + model.nMels());
        }
        int frames = model.windowFrames();
        if (frames < 2 || frames > MelSource.WINDOW_FRAMES || frames % model.nAudioCtx() != 0) {
            throw new IllegalArgumentException("a model window of " + frames + " mel frames (n_audio_ctx " + model.nAudioCtx()
                    + ") is not supported: it must be a multiple of n_audio_ctx and at most " + MelSource.WINDOW_FRAMES + " (30 s)");
        }
    }

    /** Whether a decode failed the compression-ratio or log-probability check (and is not plain silence). */
    static boolean needsFallback(DecodingResult r, TranscribeOptions o) {
        boolean fallback = false;
        if (o.compressionRatioThreshold() != null && r.compressionRatio() > o.compressionRatioThreshold()) {
            fallback = true; // too repetitive
        }
        if (o.logprobThreshold() != null && r.avgLogprob() < o.logprobThreshold()) {
            fallback = true; // average log probability is too low
        }
        if (o.noSpeechThreshold() != null && r.noSpeechProb() > o.noSpeechThreshold()
                && o.logprobThreshold() != null && r.avgLogprob() < o.logprobThreshold()) {
            fallback = false; // silence
        }
        return fallback;
    }

    /**
     * Decodes one window at each temperature in turn until {@link #needsFallback} is false; returns the last
     * decode. Beam size and patience apply at temperature 0 only, best-of ({@link TranscribeOptions#bestOf()}, else
     * the decoding options' own) above 0, as in whisper. The sampling seed of each try is derived from the options'
     * seed, the window's seek and the temperature's index.
     */
    static DecodingResult decodeWithFallback(WindowDecoder decoder, TranscribeOptions o, String language,
            int[] prompt, int seek) {
        DecodingResult result = null;
        List<Double> temperatures = o.temperatures();
        for (int i = 0; i < temperatures.size(); i++) {
            result = decoder.decode(tryOptions(o, language, prompt, seek, i));
            if (!needsFallback(result, o)) {
                break;
            }
            if (i + 1 < temperatures.size()) {
                logFallback(seek, temperatures.get(i), result);
            }
        }
        return result;
    }

    static void logFallback(int seek, double temperature, DecodingResult result) {
        LOG.debug("seek {}: fallback after T={} (compression ratio {}, avg logprob {})", seek, temperature,
                result.compressionRatio(), result.avgLogprob());
    }

    /** The decoding options of the {@code i}-th temperature of the fallback for the window at {@code seek}. */
    static DecodingOptions tryOptions(TranscribeOptions o, String language, int[] prompt, int seek, int i) {
        double t = o.temperatures().get(i);
        DecodingOptions.Builder b = o.decoding().toBuilder().language(language).promptTokens(prompt)
                .temperature(t).seed(o.decoding().seed() * 0x9E3779B97F4A7C15L + seek * 1_000_003L + i);
        if (t > 0) {
            b.beamSize(null).patience(null).bestOf(o.bestOf() != null ? o.bestOf() : o.decoding().bestOf());
        } else {
            b.bestOf(null);
        }
        return b.build();
    }
}
