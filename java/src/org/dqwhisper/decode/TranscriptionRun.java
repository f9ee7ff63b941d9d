package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dqwhisper.text.WhisperLanguages;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.text.normalize.PythonWhitespace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one long-form transcription (whisper's {@code transcribe()} loop), driven window by window from
 * outside: {@link #nextWindow()} says which 30 s window comes next (seek, size, prompt), the driver encodes and
 * decodes it, and {@link #complete} turns the decode into segments and moves the seek. {@link Transcriber} drives
 * one run; {@link BatchTranscriber} drives several side by side, batching their windows.
 */
final class TranscriptionRun {
    private static final Logger LOG = LoggerFactory.getLogger(TranscriptionRun.class);
    private static final int HOP_LENGTH = 160;
    private static final int SAMPLE_RATE = 16_000;

    /** A window to decode: mel frames {@code [seek, seek + segmentSize)} with the prompt of the text before it. */
    record Window(int seek, int segmentSize, int[] prompt) {}

    private final SpeechModel model;
    private final MelSource mel;
    private final TranscribeOptions o;
    private final TranscriptionListener listener;
    private final WhisperTokenizer tokenizer;
    private final int contentFrames;
    private final List<Integer> allTokens = new ArrayList<>();
    private final List<Segment> allSegments = new ArrayList<>();
    private int[] initialPromptTokens = new int[0];
    private int promptResetSince;
    private double lastSpeechTimestamp;
    private double lastWordEnd;
    private boolean started;
    private List<int[]> clips;
    private int clipIdx;
    private int seek;
    private int remainingPromptLength;
    private String language;
    private LanguageProbabilities detected;
    private int[] sotSequence;

    TranscriptionRun(SpeechModel model, MelSource mel, TranscribeOptions o, TranscriptionListener listener) {
        this.model = model;
        this.mel = mel;
        this.o = o;
        this.listener = listener == null ? TranscriptionListener.NONE : listener;
        this.tokenizer = model.tokenizer();
        this.contentFrames = mel.contentFrames();
    }

    TranscribeOptions options() {
        return o;
    }

    /** The language of every window (given, or detected on the first call of {@link #nextWindow()}). */
    String language() {
        return language;
    }

    /** Clips, language (detected here when not given) and initial prompt: the part before whisper's loop. */
    private void start() {
        started = true;
        clips = SeekClips.compute(o.clipTimestamps(), contentFrames, o.speechRegions(), o.vadMaxMergeGap());
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
        sotSequence = model.isMultilingual() ? tokenizer.sotSequence(language, o.decoding().task())
                : tokenizer.sotSequence(null, null);

        remainingPromptLength = model.nTextCtx() / 2 - 1;
        if (o.initialPrompt() != null) {
            initialPromptTokens = tokenizer.encode(" " + PythonWhitespace.strip(o.initialPrompt()));
            for (int t : initialPromptTokens) {
                allTokens.add(t);
            }
            remainingPromptLength -= initialPromptTokens.length;
        }
        clipIdx = 0;
        seek = clips.isEmpty() ? contentFrames : clips.get(0)[0];
    }

    /** The next window to decode, or null when the recording is done. */
    Window nextWindow() {
        if (!started) {
            start();
        }
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
            int segmentSize = Math.min(model.windowFrames(), Math.min(contentFrames - seek, clipEnd - seek));
            return new Window(seek, segmentSize, prompt(remainingPromptLength));
        }
        return null;
    }

    /** The model input of {@code w}: its mel frames padded to the model's window (30 s for the official models). */
    float[] windowMel(Window w) {
        return mel.window(w.seek(), w.segmentSize(), model.windowFrames());
    }

    /**
     * Records the decode of {@code w} (after any temperature fallback) and moves the seek on. {@code audio} is the
     * window's encoder output, read again for word timestamps.
     */
    void complete(Window w, AudioFeatures audio, DecodingResult result) {
        if (w.seek() != seek) {
            throw new IllegalStateException("window at frame " + w.seek() + " is not the current one (" + seek + ")");
        }
        seek = window(w, audio, result);
        listener.progress(Math.min(contentFrames, seek), contentFrames);
    }

    /** The transcription, once {@link #nextWindow()} returned null. */
    Transcription result() {
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

    /** Cuts the decode of window {@code w} into segments and returns the next seek. */
    private int window(Window w, AudioFeatures audio, DecodingResult result) {
        int seek = w.seek();
        double timeOffset = seek * HOP_LENGTH / (double) SAMPLE_RATE;
        double windowEndTime = (seek + model.windowFrames()) * HOP_LENGTH / (double) SAMPLE_RATE;
        int segmentSize = w.segmentSize();
        double segmentDuration = segmentSize * HOP_LENGTH / (double) SAMPLE_RATE;
        int inputStride = model.windowFrames() / model.nAudioCtx();
        double timePrecision = inputStride * HOP_LENGTH / (double) SAMPLE_RATE;
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
