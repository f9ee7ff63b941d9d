package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Options of long-form transcription, whisper's {@code transcribe()} keyword arguments. Immutable; build with
 * {@link #builder()}. Null thresholds switch their check off, as {@code None} does in whisper.
 *
 * <ul>
 *   <li>{@code decoding}: per-window options (task, language, beam size and patience for temperature 0, length
 *       penalty, suppression, timestamps, seed); its temperature and prompt are set per window.</li>
 *   <li>{@code bestOf}: samples per try at temperatures above 0 (whisper's CLI default is 5; null means 1). It
 *       lives here because a single {@link DecodingOptions} cannot hold both a beam size and best-of.</li>
 *   <li>{@code temperatures}: tried in order until a decode passes the checks (default 0, 0.2, ..., 1.0).</li>
 *   <li>{@code compressionRatioThreshold} (2.4): a decode whose text compresses better than this is a repetition
 *       loop and is retried hotter.</li>
 *   <li>{@code logprobThreshold} (-1.0): a decode with a lower average log-probability is retried hotter.</li>
 *   <li>{@code noSpeechThreshold} (0.6): a window whose no-speech probability exceeds this and whose average
 *       log-probability is below {@code logprobThreshold} is silence: no retry, and it is skipped.</li>
 *   <li>{@code conditionOnPreviousText} (true): feed the text so far as the prompt of the next window; the prompt
 *       is reset after a window decoded at a temperature above 0.5.</li>
 *   <li>{@code initialPrompt}: text before the first window; with {@code carryInitialPrompt} before every one.</li>
 *   <li>{@code wordTimestamps}: word timing by cross-attention and DTW, which also refines the seek.</li>
 *   <li>{@code prependPunctuations} / {@code appendPunctuations}: merged into the next / previous word.</li>
 *   <li>{@code clipTimestamps}: seconds {@code start,end,start,end,...} of the parts to transcribe; an odd count
 *       ends at the end of the audio (default: {@code [0]}, everything).</li>
 *   <li>{@code hallucinationSilenceThreshold}: with word timestamps, skip silences longer than this many seconds
 *       around segments that look like hallucinations.</li>
 *   <li>{@code speechRegions}: optional voice-activity intervals {@code [start, end]} in seconds (e.g. from
 *       {@link org.dqwhisper.audio.EnergyVad}); only their union with gaps shorter than
 *       {@code vadMaxMergeGap} bridged, intersected with the clips, is transcribed (see {@link SeekClips}).</li>
 *   <li>{@code languageDetectionWindows} (1): 30 s windows averaged for language detection.</li>
 *   <li>{@code medianFilterWidth} (7): of the attention weights in word timing.</li>
 * </ul>
 */
public record TranscribeOptions(DecodingOptions decoding, Integer bestOf, List<Double> temperatures,
        Double compressionRatioThreshold, Double logprobThreshold, Double noSpeechThreshold,
        boolean conditionOnPreviousText, String initialPrompt, boolean carryInitialPrompt, boolean wordTimestamps,
        String prependPunctuations, String appendPunctuations, List<Double> clipTimestamps,
        Double hallucinationSilenceThreshold, List<double[]> speechRegions, double vadMaxMergeGap,
        int languageDetectionWindows, int medianFilterWidth) {

    /** Whisper's default temperature schedule. */
    public static final List<Double> DEFAULT_TEMPERATURES = List.of(0.0, 0.2, 0.4, 0.6, 0.8, 1.0);

    public TranscribeOptions {
        Objects.requireNonNull(decoding, "decoding");
        if (bestOf != null && bestOf < 1) {
            throw new IllegalArgumentException("best_of must be >= 1, got " + bestOf);
        }
        temperatures = List.copyOf(temperatures);
        if (temperatures.isEmpty()) {
            throw new IllegalArgumentException("at least one temperature is needed");
        }
        for (double t : temperatures) {
            if (!(t >= 0) || Double.isInfinite(t)) {
                throw new IllegalArgumentException("temperatures must be finite and >= 0, got " + temperatures);
            }
        }
        Objects.requireNonNull(prependPunctuations, "prependPunctuations");
        Objects.requireNonNull(appendPunctuations, "appendPunctuations");
        clipTimestamps = List.copyOf(clipTimestamps);
        for (double ts : clipTimestamps) {
            if (!(ts >= 0) || Double.isInfinite(ts)) {
                throw new IllegalArgumentException("clip timestamps must be finite and >= 0, got " + clipTimestamps);
            }
        }
        if (speechRegions != null) {
            List<double[]> copy = new ArrayList<>();
            for (double[] r : speechRegions) {
                if (r.length != 2 || !(r[0] >= 0) || !(r[1] >= r[0]) || Double.isInfinite(r[1])) {
                    throw new IllegalArgumentException("speech regions must be [start, end] with 0 <= start <= end");
                }
                copy.add(r.clone());
            }
            speechRegions = List.copyOf(copy);
        }
        if (!(vadMaxMergeGap >= 0) || Double.isInfinite(vadMaxMergeGap)) {
            throw new IllegalArgumentException("vadMaxMergeGap must be finite and >= 0, got " + vadMaxMergeGap);
        }
        if (hallucinationSilenceThreshold != null && !(hallucinationSilenceThreshold >= 0)) {
            throw new IllegalArgumentException("hallucination_silence_threshold must be >= 0");
        }
        if (languageDetectionWindows < 1) {
            throw new IllegalArgumentException("languageDetectionWindows must be >= 1, got " + languageDetectionWindows);
        }
        if (medianFilterWidth < 1 || medianFilterWidth % 2 == 0) {
            throw new IllegalArgumentException("medianFilterWidth must be odd and >= 1, got " + medianFilterWidth);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        return new Builder().decoding(decoding).bestOf(bestOf).temperatures(temperatures)
                .compressionRatioThreshold(compressionRatioThreshold).logprobThreshold(logprobThreshold)
                .noSpeechThreshold(noSpeechThreshold).conditionOnPreviousText(conditionOnPreviousText)
                .initialPrompt(initialPrompt).carryInitialPrompt(carryInitialPrompt).wordTimestamps(wordTimestamps)
                .prependPunctuations(prependPunctuations).appendPunctuations(appendPunctuations)
                .clipTimestamps(clipTimestamps).hallucinationSilenceThreshold(hallucinationSilenceThreshold)
                .speechRegions(speechRegions).vadMaxMergeGap(vadMaxMergeGap)
                .languageDetectionWindows(languageDetectionWindows).medianFilterWidth(medianFilterWidth);
    }

    /**
     * Whisper's CLI temperature schedule: {@code start, start + increment, ...} up to 1.0 (numpy's
     * {@code arange(start, 1.0 + 1e-6, increment)}), or just {@code start} when the increment is null.
     */
    public static List<Double> temperatureSchedule(double start, Double increment) {
        if (increment == null) {
            return List.of(start);
        }
        if (!(increment > 0)) {
            throw new IllegalArgumentException("temperature increment must be > 0, got " + increment);
        }
        List<Double> out = new ArrayList<>();
        long n = (long) Math.ceil((1.0 + 1e-6 - start) / increment);
        for (long i = 0; i < n; i++) {
            out.add(start + i * increment);
        }
        return out.isEmpty() ? List.of(start) : out;
    }

    /** Parses whisper's {@code --clip_timestamps} ("0", "10.5,20,40"); blank gives an empty list. */
    public static List<Double> parseClipTimestamps(String spec) {
        List<Double> out = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String part : spec.split(",")) {
            try {
                out.add(Double.parseDouble(part.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("clip_timestamps: '" + part.trim() + "' is not a number", e);
            }
        }
        return out;
    }

    /** Mutable builder starting from whisper's defaults. */
    public static final class Builder {
        private DecodingOptions decoding = DecodingOptions.defaults();
        private Integer bestOf;
        private List<Double> temperatures = DEFAULT_TEMPERATURES;
        private Double compressionRatioThreshold = CompressionRatio.WHISPER_THRESHOLD;
        private Double logprobThreshold = -1.0;
        private Double noSpeechThreshold = 0.6;
        private boolean conditionOnPreviousText = true;
        private String initialPrompt;
        private boolean carryInitialPrompt;
        private boolean wordTimestamps;
        private String prependPunctuations = WordTimestamps.PREPEND_PUNCTUATIONS;
        private String appendPunctuations = WordTimestamps.APPEND_PUNCTUATIONS;
        private List<Double> clipTimestamps = List.of(0.0);
        private Double hallucinationSilenceThreshold;
        private List<double[]> speechRegions;
        private double vadMaxMergeGap = 2.0;
        private int languageDetectionWindows = 1;
        private int medianFilterWidth = 7;

        private Builder() {}

        public Builder decoding(DecodingOptions v) { decoding = v; return this; }
        public Builder bestOf(Integer v) { bestOf = v; return this; }
        public Builder temperatures(List<Double> v) { temperatures = v; return this; }
        public Builder compressionRatioThreshold(Double v) { compressionRatioThreshold = v; return this; }
        public Builder logprobThreshold(Double v) { logprobThreshold = v; return this; }
        public Builder noSpeechThreshold(Double v) { noSpeechThreshold = v; return this; }
        public Builder conditionOnPreviousText(boolean v) { conditionOnPreviousText = v; return this; }
        public Builder initialPrompt(String v) { initialPrompt = v; return this; }
        public Builder carryInitialPrompt(boolean v) { carryInitialPrompt = v; return this; }
        public Builder wordTimestamps(boolean v) { wordTimestamps = v; return this; }
        public Builder prependPunctuations(String v) { prependPunctuations = v; return this; }
        public Builder appendPunctuations(String v) { appendPunctuations = v; return this; }
        public Builder clipTimestamps(List<Double> v) { clipTimestamps = v; return this; }
        public Builder hallucinationSilenceThreshold(Double v) { hallucinationSilenceThreshold = v; return this; }
        public Builder speechRegions(List<double[]> v) { speechRegions = v; return this; }
        public Builder vadMaxMergeGap(double v) { vadMaxMergeGap = v; return this; }
        public Builder languageDetectionWindows(int v) { languageDetectionWindows = v; return this; }
        public Builder medianFilterWidth(int v) { medianFilterWidth = v; return this; }

        public TranscribeOptions build() {
            return new TranscribeOptions(decoding, bestOf, temperatures, compressionRatioThreshold, logprobThreshold,
                    noSpeechThreshold, conditionOnPreviousText, initialPrompt, carryInitialPrompt, wordTimestamps,
                    prependPunctuations, appendPunctuations, clipTimestamps, hallucinationSilenceThreshold,
                    speechRegions, vadMaxMergeGap, languageDetectionWindows, medianFilterWidth);
        }
    }
}
