package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.dqwhisper.text.WhisperLanguages;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.text.normalize.PythonWhitespace;
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
    private static final int HOP_LENGTH = 160;
    private static final int SAMPLE_RATE = 16_000;

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
        if (mel.nMels() != model.nMels()) {
            throw new IllegalArgumentException("mel spectrogram has " + mel.nMels() + " bands, the model expects "
                    + model.nMels());
        }
        if (MelSource.WINDOW_FRAMES % model.nAudioCtx() != 0) {
            throw new IllegalArgumentException("n_audio_ctx " + model.nAudioCtx() + " does not divide "
                    + MelSource.WINDOW_FRAMES + " mel frames");
        }
        return new Run(mel, options, listener == null ? TranscriptionListener.NONE : listener).execute();
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
     * the decoding options' own) above 0, as in whisper. The sampling
     * seed of each try is derived from the options' seed, the window's seek and the temperature's index.
     */
    static DecodingResult decodeWithFallback(WindowDecoder decoder, TranscribeOptions o, String language,
            int[] prompt, int seek) {
        DecodingResult result = null;
        List<Double> temperatures = o.temperatures();
        for (int i = 0; i < temperatures.size(); i++) {
            double t = temperatures.get(i);
            DecodingOptions.Builder b = o.decoding().toBuilder().language(language).promptTokens(prompt)
                    .temperature(t).seed(o.decoding().seed() * 0x9E3779B97F4A7C15L + seek * 1_000_003L + i);
            if (t > 0) {
                b.beamSize(null).patience(null).bestOf(o.bestOf() != null ? o.bestOf() : o.decoding().bestOf());
            } else {
                b.bestOf(null);
            }
            result = decoder.decode(b.build());
            if (!needsFallback(result, o)) {
                break;
            }
            LOG.debug("seek {}: fallback after T={} (compression ratio {}, avg logprob {})", seek, t,
                    result.compressionRatio(), result.avgLogprob());
        }
        return result;
    }

    /** The state of one transcription. */
    private final class Run {
        private final MelSource mel;
        private final TranscribeOptions o;
        private final TranscriptionListener listener;
        private final WhisperTokenizer tokenizer = model.tokenizer();
        private final int contentFrames;
        private final List<Integer> allTokens = new ArrayList<>();
        private final List<Segment> allSegments = new ArrayList<>();
        private int[] initialPromptTokens = new int[0];
        private int promptResetSince;
        private double lastSpeechTimestamp;
        private double lastWordEnd;

        Run(MelSource mel, TranscribeOptions o, TranscriptionListener listener) {
            this.mel = mel;
            this.o = o;
            this.listener = listener;
            this.contentFrames = mel.contentFrames();
        }

        Transcription execute() {
            List<int[]> clips = SeekClips.compute(o.clipTimestamps(), contentFrames, o.speechRegions(),
                    o.vadMaxMergeGap());
            String language;
            LanguageProbabilities detected = null;
            if (!model.isMultilingual()) {
                language = "en";
            } else if (o.decoding().language() != null) {
                language = WhisperLanguages.toCode(o.decoding().language());
            } else {
                int start = clips.isEmpty() ? 0 : clips.get(0)[0];
                detected = LanguageDetector.detect(model, mel, start, o.languageDetectionWindows());
                language = detected.best();
                LOG.debug("detected language {} (p={})", language, detected.probability(language));
            }
            int[] sotSequence = model.isMultilingual() ? tokenizer.sotSequence(language, o.decoding().task())
                    : tokenizer.sotSequence(null, null);

            int remainingPromptLength = model.nTextCtx() / 2 - 1;
            if (o.initialPrompt() != null) {
                initialPromptTokens = tokenizer.encode(" " + PythonWhitespace.strip(o.initialPrompt()));
                for (int t : initialPromptTokens) {
                    allTokens.add(t);
                }
                remainingPromptLength -= initialPromptTokens.length;
            }

            int clipIdx = 0;
            int seek = clips.isEmpty() ? contentFrames : clips.get(0)[0];
            while (clipIdx < clips.size()) {
                int clipStart = clips.get(clipIdx)[0];
                int clipEnd = clips.get(clipIdx)[1];
                if (seek < clipStart) {
                    seek = clipStart;
                }
                if (seek >= clipEnd) {
                    clipIdx++;
                    if (clipIdx < clips.size()) {
                        seek = clips.get(clipIdx)[0];
                    }
                    continue;
                }
                int[] prompt = prompt(remainingPromptLength);
                seek = window(seek, clipEnd, prompt, language, sotSequence);
                listener.progress(Math.min(contentFrames, seek), contentFrames);
            }
            int[] textTokens = new int[allTokens.size() - initialPromptTokens.length];
            for (int i = 0; i < textTokens.length; i++) {
                textTokens[i] = allTokens.get(initialPromptTokens.length + i);
            }
            String text = tokenizer.decode(textTokens);
            return new Transcription(text, allSegments, language,
                    detected == null ? Double.NaN : detected.probability(language),
                    detected == null ? null : detected.probabilities());
        }

        private int[] prompt(int remainingPromptLength) {
            if (o.carryInitialPrompt()) {
                int ignored = Math.max(initialPromptTokens.length, promptResetSince);
                int[] rest = WindowDecoder.pythonSliceFrom(tokens(ignored), -remainingPromptLength);
                int[] prompt = Arrays.copyOf(initialPromptTokens, initialPromptTokens.length + rest.length);
                System.arraycopy(rest, 0, prompt, initialPromptTokens.length, rest.length);
                return prompt;
            }
            return tokens(promptResetSince);
        }

        private int[] tokens(int from) {
            return allTokens.subList(from, allTokens.size()).stream().mapToInt(Integer::intValue).toArray();
        }

        /** Decodes the window at {@code seek} and returns the next seek. */
        private int window(int seek, int clipEnd, int[] prompt, String language, int[] sotSequence) {
            double timeOffset = seek * HOP_LENGTH / (double) SAMPLE_RATE;
            double windowEndTime = (seek + MelSource.WINDOW_FRAMES) * HOP_LENGTH / (double) SAMPLE_RATE;
            int segmentSize = Math.min(MelSource.WINDOW_FRAMES, Math.min(contentFrames - seek, clipEnd - seek));
            double segmentDuration = segmentSize * HOP_LENGTH / (double) SAMPLE_RATE;
            int inputStride = MelSource.WINDOW_FRAMES / model.nAudioCtx();
            double timePrecision = inputStride * HOP_LENGTH / (double) SAMPLE_RATE;

            try (AudioFeatures audio = model.encode(mel.window(seek, segmentSize));
                    WindowDecoder decoder = new WindowDecoder(model, audio)) {
                DecodingResult result = decodeWithFallback(decoder, o, language, prompt, seek);
                if (o.noSpeechThreshold() != null) {
                    boolean skip = result.noSpeechProb() > o.noSpeechThreshold();
                    if (o.logprobThreshold() != null && result.avgLogprob() > o.logprobThreshold()) {
                        skip = false; // don't skip if the logprob is high enough, despite the no_speech_prob
                    }
                    if (skip) {
                        LOG.debug("seek {}: no speech (p={})", seek, result.noSpeechProb());
                        return seek + segmentSize;
                    }
                }
                int previousSeek = seek;
                WindowSegments.Split split = WindowSegments.split(result.tokens(), tokenizer, timeOffset,
                        timePrecision, inputStride, segmentSize);
                seek += split.seekAdvance();
                List<SegmentDraft> current = new ArrayList<>();
                for (WindowSegments.Piece p : split.pieces()) {
                    int[] text = Arrays.stream(p.tokens()).filter(t -> t < tokenizer.eot()).toArray();
                    current.add(new SegmentDraft(previousSeek, p.start(), p.end(), tokenizer.decode(text), p.tokens(),
                            result));
                }

                if (o.wordTimestamps()) {
                    WordTimestamps.add(current, model, audio, sotSequence, segmentSize, language,
                            o.prependPunctuations(), o.appendPunctuations(), lastSpeechTimestamp,
                            o.medianFilterWidth());
                    lastWordEnd = WordTimestamps.enforceMonotonic(current, lastWordEnd);
                    if (!split.singleTimestampEnding()) {
                        Double end = SegmentDraft.lastEnd(current);
                        if (end != null && end > timeOffset) {
                            seek = (int) Math.rint(end * 100);
                        }
                    }
                    if (o.hallucinationSilenceThreshold() != null) {
                        HallucinationGuard.Decision d = HallucinationGuard.decide(current,
                                o.hallucinationSilenceThreshold(), split.singleTimestampEnding(), seek, previousSeek,
                                segmentSize, timeOffset, windowEndTime, segmentDuration, lastSpeechTimestamp,
                                contentFrames * HOP_LENGTH / (double) SAMPLE_RATE, contentFrames);
                        seek = d.seek();
                        if (d.skipWindow()) {
                            return forward(previousSeek, seek, segmentSize);
                        }
                        current.subList(d.keepSegments(), current.size()).clear();
                    }
                    Double end = SegmentDraft.lastEnd(current);
                    if (end != null) {
                        lastSpeechTimestamp = end;
                    }
                }
                finish(current, result);
                return forward(previousSeek, seek, segmentSize);
            }
        }

        /**
         * The next seek, moved a whole window on when a rounding corner case would leave it where it was (whisper
         * would then decode the same window forever).
         */
        private int forward(int previousSeek, int seek, int segmentSize) {
            if (seek > previousSeek) {
                return seek;
            }
            LOG.warn("seek did not advance at frame {}; moving on by {} frames", previousSeek, segmentSize);
            return previousSeek + segmentSize;
        }

        /** Clears empty or instantaneous segments (keeping them, as whisper does) and records the window. */
        private void finish(List<SegmentDraft> current, DecodingResult result) {
            for (SegmentDraft s : current) {
                if (s.start == s.end || PythonWhitespace.strip(s.text).isEmpty()) {
                    s.text = "";
                    s.tokens = new int[0];
                    s.words = o.wordTimestamps() ? new ArrayList<>() : null;
                }
                Segment segment = s.toSegment(allSegments.size());
                allSegments.add(segment);
                for (int t : s.tokens) {
                    allTokens.add(t);
                }
                listener.segment(segment);
            }
            if (!o.conditionOnPreviousText() || result.temperature() > 0.5) {
                promptResetSince = allTokens.size(); // do not feed the prompt tokens if a high temperature was used
            }
        }
    }
}
