package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.dqwhisper.text.WhisperLanguages;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.text.normalize.PythonWhitespace;

/**
 * Decodes one 30 s window, as whisper's {@code DecodingTask}: builds the initial tokens (prompt, start-of-transcript
 * sequence, prefix), detects the language if asked, runs greedy or sampled decoding (best-of-N) or beam search
 * under the logit filters, and ranks the candidates.
 *
 * <p>One instance serves several {@link #decode} calls on the same audio (the temperature fallback): the prefill of
 * the initial tokens and the detected language are computed once and reused. Not thread-safe; use one per thread
 * and window. Closing it closes its decoder sessions but not the audio features.
 */
public final class WindowDecoder implements AutoCloseable {
    private final SpeechModel model;
    private final AudioFeatures audio;
    private final WhisperTokenizer tokenizer;
    private final SessionPool pool;
    private LanguageProbabilities detected;

    public WindowDecoder(SpeechModel model, AudioFeatures audio) {
        this.model = Objects.requireNonNull(model, "model");
        this.audio = Objects.requireNonNull(audio, "audio");
        this.tokenizer = model.tokenizer();
        this.pool = new SessionPool(model, audio);
    }

    /** What {@link #decode} settles before sampling: language, initial tokens, filters and lengths. */
    record Plan(DecodingOptions options, String language, Map<String, Double> languageProbs, int[] initial,
            int sotIndex, List<LogitFilter> filters, int sampleLen, int nTextCtx) {}

    /**
     * Decodes the window with {@code options}; see {@link DecodingOptions} for their meaning. The hypotheses of
     * a beam search or best-of-N sampling share each decoder forward ({@link LockStepSearch}).
     */
    public DecodingResult decode(DecodingOptions options) {
        Plan plan = plan(options);
        SessionPool.Prefill prefill = pool.prefill(plan.initial(), plan.sotIndex());
        CandidateSearch search = search(plan, prefill);
        LockStepSearch.run(model, List.of(search));
        return result(plan, prefill, search.candidates());
    }

    /**
     * The candidate search of {@code plan} from {@code prefill} (this window's current prefill): beam search when
     * the options ask for it, else greedy or sampled hypotheses; its first step is already taken.
     */
    CandidateSearch search(Plan plan, SessionPool.Prefill prefill) {
        DecodingOptions options = plan.options();
        if (options.beamSize() != null) {
            return new BeamSearch(pool, prefill, plan.filters(), options.beamSize(), options.patience(),
                    plan.sampleLen(), plan.nTextCtx(), tokenizer.eot());
        }
        return new SamplingSearch(pool, prefill, plan.filters(), options.temperature(), options.groupSize(),
                options.seed(), plan.sampleLen(), plan.nTextCtx(), tokenizer.eot());
    }

    /** The language, initial tokens and logit filters of a decode with {@code options}. */
    Plan plan(DecodingOptions options) {
        String language;
        Map<String, Double> languageProbs = null;
        int[] sot;
        if (!model.isMultilingual()) {
            language = "en";
            sot = tokenizer.sotSequence(null, null);
        } else {
            if (options.language() != null) {
                language = WhisperLanguages.toCode(options.language());
            } else {
                LanguageProbabilities probs = detectLanguage();
                language = probs.best();
                languageProbs = probs.probabilities();
            }
            sot = tokenizer.sotSequence(language, options.task());
        }
        if (options.withoutTimestamps()) {
            sot = Arrays.copyOf(sot, sot.length + 1);
            sot[sot.length - 1] = tokenizer.noTimestamps();
        }

        int nTextCtx = model.nTextCtx();
        int sampleLen = options.sampleLen() != null ? options.sampleLen() : nTextCtx / 2;
        int[] prompt = options.prompt() != null ? tokenizer.encode(" " + PythonWhitespace.strip(options.prompt()))
                : options.promptTokens();
        int[] prefix = options.prefix() != null ? tokenizer.encode(" " + PythonWhitespace.strip(options.prefix()))
                : options.prefixTokens();
        int[] initial = initialTokens(sot, prompt, prefix, nTextCtx, sampleLen, tokenizer.sotPrev());
        if (initial.length >= nTextCtx) {
            throw new IllegalArgumentException("initial tokens (" + initial.length + ") leave no room in the "
                    + nTextCtx + "-token decoder context");
        }
        int sotIndex = indexOf(initial, tokenizer.sot());
        List<LogitFilter> filters = logitFilters(options, initial.length);
        return new Plan(options, language, languageProbs, initial, sotIndex, filters, sampleLen, nTextCtx);
    }

    /** The model this window is decoded with. */
    SpeechModel model() {
        return model;
    }

    /** The sessions of this window (for lock-step batching). */
    SessionPool pool() {
        return pool;
    }

    /** Ranks the candidates and builds the window's result. */
    DecodingResult result(Plan plan, SessionPool.Prefill prefill, List<Candidate> candidates) {
        double noSpeechProb = Softmax.softmax(prefill.sotLogits(), 0, prefill.sotLogits().length)[tokenizer.noSpeech()];
        List<int[]> tokens = new ArrayList<>();
        List<Double> sums = new ArrayList<>();
        for (Candidate c : candidates) {
            tokens.add(c.tokens());
            sums.add(c.sumLogprob());
        }
        DecodingOptions options = plan.options();
        Candidate best = candidates.get(new SequenceRanker(options.lengthPenalty()).rank(tokens, sums));
        String text = PythonWhitespace.strip(tokenizer.decode(best.tokens()));
        return new DecodingResult(best.tokens(), text, best.sumLogprob() / (best.tokens().length + 1),
                best.sumLogprob(), noSpeechProb, options.temperature(), CompressionRatio.of(text), plan.language(),
                plan.languageProbs());
    }

    /** The language probabilities of this window (computed once). */
    public LanguageProbabilities detectLanguage() {
        if (detected == null) {
            detected = LanguageDetector.detect(model, audio);
        }
        return detected;
    }

    /**
     * Whisper's {@code _get_initial_tokens}: {@code [<|startofprev|>, prompt[-(n_ctx/2 - 1):]]}, then the
     * start-of-transcript sequence, then {@code prefix[-(n_ctx/2 - sample_len):]} (Python slice semantics, so a
     * limit of 0 keeps the whole prefix, as in whisper).
     */
    static int[] initialTokens(int[] sot, int[] prompt, int[] prefix, int nTextCtx, int sampleLen, int sotPrev) {
        int[] tokens = sot.clone();
        if (prefix != null && prefix.length > 0) {
            tokens = concat(tokens, pythonSliceFrom(prefix, -(nTextCtx / 2 - sampleLen)));
        }
        if (prompt != null && prompt.length > 0) {
            int[] head = concat(new int[] {sotPrev}, pythonSliceFrom(prompt, -(nTextCtx / 2 - 1)));
            tokens = concat(head, tokens);
        }
        return tokens;
    }

    /** Python's {@code a[start:]}. */
    static int[] pythonSliceFrom(int[] a, int start) {
        int from = start < 0 ? Math.max(0, a.length + start) : Math.min(start, a.length);
        return Arrays.copyOfRange(a, from, a.length);
    }

    private List<LogitFilter> logitFilters(DecodingOptions options, int sampleBegin) {
        List<LogitFilter> filters = new ArrayList<>(3);
        if (options.suppressBlank()) {
            filters.add(new SuppressBlank(tokenizer, sampleBegin));
        }
        int[] suppressed = SuppressTokens.resolve(tokenizer, options.suppressTokens());
        if (suppressed != null) {
            filters.add(new SuppressTokens(suppressed));
        }
        if (!options.withoutTimestamps()) {
            double precision = model.windowFrames() * 0.01 / model.nAudioCtx(); // seconds per timestamp step: 0.02
            Integer maxInitialIndex = null;
            Double maxInitial = options.maxInitialTimestamp();
            if (maxInitial != null && maxInitial != 0) {
                maxInitialIndex = (int) Math.rint(maxInitial / precision);
            }
            filters.add(new WindowEndTimestamps(tokenizer.timestampBegin(), model.nAudioCtx()));
            filters.add(new TimestampRules(tokenizer, sampleBegin, maxInitialIndex));
        }
        return filters;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int indexOf(int[] a, int value) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == value) {
                return i;
            }
        }
        throw new IllegalStateException("start-of-transcript token missing from the initial tokens");
    }

    @Override
    public void close() {
        pool.close();
    }
}
