package org.dqwhisper.decode;

import java.util.Objects;
import org.dqwhisper.text.WhisperTokenizer.Task;

/**
 * Options of one window's decode, OpenAI whisper's {@code DecodingOptions}. Immutable; build with
 * {@link #builder()} or change a copy with {@link #toBuilder()}. Null means "not given", as {@code None} does in
 * whisper.
 *
 * <ul>
 *   <li>{@code task}: transcribe (X to X) or translate (X to English).</li>
 *   <li>{@code language}: code or English name of the spoken language; null detects it from the audio
 *       (multilingual models; English-only models always use English).</li>
 *   <li>{@code temperature}: 0 picks the most likely token (greedy or beam search); above 0 samples from
 *       {@code softmax(logits / temperature)}.</li>
 *   <li>{@code sampleLen}: most tokens to sample; null means {@code n_text_ctx / 2} (224).</li>
 *   <li>{@code bestOf}: independent samples at temperature > 0, the most likely one wins.</li>
 *   <li>{@code beamSize}: beams of beam search at temperature 0.</li>
 *   <li>{@code patience}: beam search stops after {@code round(beamSize * patience)} finished candidates
 *       (arXiv:2204.05424); null means 1.0.</li>
 *   <li>{@code lengthPenalty}: ranking of finished candidates: null divides the sum log-probability by the length,
 *       a value alpha in [0, 1] divides it by {@code ((5 + length) / 6)^alpha} (Google NMT).</li>
 *   <li>{@code prompt} / {@code promptTokens}: previous-context text (encoded as {@code " " + text.strip()}) or
 *       tokens, fed after {@code <|startofprev|>}; at most one of the two.</li>
 *   <li>{@code prefix} / {@code prefixTokens}: text or tokens forced at the start of this window's output.</li>
 *   <li>{@code suppressTokens}: comma-separated token ids never to sample; "-1" adds whisper's non-speech symbol
 *       tokens. Null or "" disables the filter entirely (then even the special task tokens are not
 *       suppressed, as in whisper).</li>
 *   <li>{@code suppressBlank}: forbid a blank or end-of-text first token.</li>
 *   <li>{@code withoutTimestamps}: decode with {@code <|notimestamps|>}, text tokens only.</li>
 *   <li>{@code maxInitialTimestamp}: latest allowed first timestamp in seconds; null or 0 means no limit.</li>
 *   <li>{@code seed}: seed of the sampling random numbers (temperature > 0); same seed, same samples.</li>
 * </ul>
 */
public final class DecodingOptions {
    private final Task task;
    private final String language;
    private final double temperature;
    private final Integer sampleLen;
    private final Integer bestOf;
    private final Integer beamSize;
    private final Double patience;
    private final Double lengthPenalty;
    private final String prompt;
    private final int[] promptTokens;
    private final String prefix;
    private final int[] prefixTokens;
    private final String suppressTokens;
    private final boolean suppressBlank;
    private final boolean withoutTimestamps;
    private final Double maxInitialTimestamp;
    private final long seed;

    private DecodingOptions(Builder b) {
        task = Objects.requireNonNull(b.task, "task");
        language = b.language;
        temperature = b.temperature;
        sampleLen = b.sampleLen;
        bestOf = b.bestOf;
        beamSize = b.beamSize;
        patience = b.patience;
        lengthPenalty = b.lengthPenalty;
        prompt = b.prompt;
        promptTokens = b.promptTokens == null ? null : b.promptTokens.clone();
        prefix = b.prefix;
        prefixTokens = b.prefixTokens == null ? null : b.prefixTokens.clone();
        suppressTokens = b.suppressTokens;
        suppressBlank = b.suppressBlank;
        withoutTimestamps = b.withoutTimestamps;
        maxInitialTimestamp = b.maxInitialTimestamp;
        seed = b.seed;
        verify();
    }

    /** Whisper's {@code _verify_options}, plus range checks on every number. */
    private void verify() {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (beamSize != null && bestOf != null) {
            throw new IllegalArgumentException("beam_size and best_of can't be given together");
        }
        if (temperature == 0 && bestOf != null) {
            throw new IllegalArgumentException("best_of with greedy sampling (T=0) is not compatible");
        }
        if (patience != null && beamSize == null) {
            throw new IllegalArgumentException("patience requires beam_size to be given");
        }
        if (lengthPenalty != null && !(lengthPenalty >= 0 && lengthPenalty <= 1)) {
            throw new IllegalArgumentException("length_penalty (alpha) should be a value between 0 and 1, got "
                    + lengthPenalty);
        }
        if (beamSize != null && beamSize < 1) {
            throw new IllegalArgumentException("beam_size must be >= 1, got " + beamSize);
        }
        if (bestOf != null && bestOf < 1) {
            throw new IllegalArgumentException("best_of must be >= 1, got " + bestOf);
        }
        if (sampleLen != null && sampleLen < 1) {
            throw new IllegalArgumentException("sample_len must be >= 1, got " + sampleLen);
        }
        if (beamSize != null && BeamSearch.maxCandidates(beamSize, patience) <= 0) {
            throw new IllegalArgumentException("Invalid beam size (" + beamSize + ") or patience (" + patience + ")");
        }
        if (patience != null && (!(patience > 0) || patience.isInfinite())) {
            throw new IllegalArgumentException("patience must be finite and > 0, got " + patience);
        }
        if (prompt != null && promptTokens != null) {
            throw new IllegalArgumentException("give the prompt as text or as tokens, not both");
        }
        if (prefix != null && prefixTokens != null) {
            throw new IllegalArgumentException("give the prefix as text or as tokens, not both");
        }
        if (maxInitialTimestamp != null && (!(maxInitialTimestamp >= 0) || maxInitialTimestamp.isInfinite())) {
            throw new IllegalArgumentException("max_initial_timestamp must be finite and >= 0, got "
                    + maxInitialTimestamp);
        }
        SuppressTokens.parse(suppressTokens); // reject malformed lists now rather than mid-decode
    }

    /** Whisper's defaults: transcribe, detect language, greedy, suppress "-1", blank suppressed, timestamps on. */
    public static DecodingOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.task = task;
        b.language = language;
        b.temperature = temperature;
        b.sampleLen = sampleLen;
        b.bestOf = bestOf;
        b.beamSize = beamSize;
        b.patience = patience;
        b.lengthPenalty = lengthPenalty;
        b.prompt = prompt;
        b.promptTokens = promptTokens;
        b.prefix = prefix;
        b.prefixTokens = prefixTokens;
        b.suppressTokens = suppressTokens;
        b.suppressBlank = suppressBlank;
        b.withoutTimestamps = withoutTimestamps;
        b.maxInitialTimestamp = maxInitialTimestamp;
        b.seed = seed;
        return b;
    }

    public Task task() { return task; }
    public String language() { return language; }
    public double temperature() { return temperature; }
    public Integer sampleLen() { return sampleLen; }
    public Integer bestOf() { return bestOf; }
    public Integer beamSize() { return beamSize; }
    public Double patience() { return patience; }
    public Double lengthPenalty() { return lengthPenalty; }
    public String prompt() { return prompt; }
    public int[] promptTokens() { return promptTokens == null ? null : promptTokens.clone(); }
    public String prefix() { return prefix; }
    public int[] prefixTokens() { return prefixTokens == null ? null : prefixTokens.clone(); }
    public String suppressTokens() { return suppressTokens; }
    public boolean suppressBlank() { return suppressBlank; }
    public boolean withoutTimestamps() { return withoutTimestamps; }
    public Double maxInitialTimestamp() { return maxInitialTimestamp; }
    public long seed() { return seed; }

    /** Hypotheses decoded side by side: beam size, else best-of, else 1 (whisper's {@code n_group}). */
    public int groupSize() {
        return beamSize != null ? beamSize : bestOf != null ? bestOf : 1;
    }

    @Override
    public String toString() {
        return "DecodingOptions[task=" + task + ", language=" + language + ", temperature=" + temperature
                + ", sampleLen=" + sampleLen + ", bestOf=" + bestOf + ", beamSize=" + beamSize + ", patience="
                + patience + ", lengthPenalty=" + lengthPenalty + ", suppressTokens=" + suppressTokens
                + ", suppressBlank=" + suppressBlank + ", withoutTimestamps=" + withoutTimestamps
                + ", maxInitialTimestamp=" + maxInitialTimestamp + ", seed=" + seed + "]";
    }

    /** Mutable builder with whisper's defaults. */
    public static final class Builder {
        private Task task = Task.TRANSCRIBE;
        private String language;
        private double temperature;
        private Integer sampleLen;
        private Integer bestOf;
        private Integer beamSize;
        private Double patience;
        private Double lengthPenalty;
        private String prompt;
        private int[] promptTokens;
        private String prefix;
        private int[] prefixTokens;
        private String suppressTokens = "-1";
        private boolean suppressBlank = true;
        private boolean withoutTimestamps;
        private Double maxInitialTimestamp = 1.0;
        private long seed;

        private Builder() {}

        public Builder task(Task v) { task = v; return this; }
        public Builder language(String v) { language = v; return this; }
        public Builder temperature(double v) { temperature = v; return this; }
        public Builder sampleLen(Integer v) { sampleLen = v; return this; }
        public Builder bestOf(Integer v) { bestOf = v; return this; }
        public Builder beamSize(Integer v) { beamSize = v; return this; }
        public Builder patience(Double v) { patience = v; return this; }
        public Builder lengthPenalty(Double v) { lengthPenalty = v; return this; }
        public Builder prompt(String v) { prompt = v; promptTokens = null; return this; }
        public Builder promptTokens(int[] v) { promptTokens = v == null ? null : v.clone(); prompt = null; return this; }
        public Builder prefix(String v) { prefix = v; prefixTokens = null; return this; }
        public Builder prefixTokens(int[] v) { prefixTokens = v == null ? null : v.clone(); prefix = null; return this; }
        public Builder suppressTokens(String v) { suppressTokens = v; return this; }
        public Builder suppressBlank(boolean v) { suppressBlank = v; return this; }
        public Builder withoutTimestamps(boolean v) { withoutTimestamps = v; return this; }
        public Builder maxInitialTimestamp(Double v) { maxInitialTimestamp = v; return this; }
        public Builder seed(long v) { seed = v; return this; }

        /** @throws IllegalArgumentException for a combination whisper rejects or a value out of range */
        public DecodingOptions build() {
            return new DecodingOptions(this);
        }
    }
}
