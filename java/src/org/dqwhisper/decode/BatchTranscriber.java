package org.dqwhisper.decode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Long-form transcription of several recordings at once, batching their windows through the encoder and the
 * decoder. The result for each recording is the one {@link Transcriber} gives for it alone (same tokens, segments
 * and probabilities), given a model whose batched calls compute every window and row as the single ones do (true of
 * {@link org.dqwhisper.whisper.WhisperSpeechModel}: its kernels compute each row independently).
 *
 * <p><b>What is batched.</b> Up to {@code batchSize} recordings are in flight. Each round takes the next window of
 * every recording in flight (windows of one recording stay sequential, since each window's seek and prompt come
 * from the one before) and
 * <ul>
 *   <li>encodes them in one encoder call ({@link SpeechModel#encodeBatch}, {@code B} = windows in the round), for
 *       every option set;</li>
 *   <li>decodes them in lock-step ({@link LockStepSearch}): one decoder forward for all their prompts, then one
 *       forward per step for every live hypothesis of every window (one per window when greedy, the beams of a
 *       beam search, the members of a best-of-N sample), whose matrix products (q/k/v/out projections, MLP,
 *       logits) take one row per hypothesis; a window leaves the batch when its search ends;</li>
 *   <li>runs the temperature fallback the same way: the windows whose decode failed the compression-ratio or
 *       log-probability gate retry at their next temperature together.</li>
 * </ul>
 * Everything else runs per recording as in {@link Transcriber}, on the window's own encoder output: word
 * timestamps (cross attention and DTW), the hallucination guard, and language detection (which encodes its own
 * windows, once per recording, before its first window). A recording that finishes frees its place for the next one at the next
 * round, so short and long recordings mix.
 *
 * <p>Speed on the CPU (1 thread, {@code BatchTranscribeProbe}): not faster than one recording at a time, 0.7-1.0x
 * (whisper-base shapes, INT8, beam 5 or greedy, 4-8 recordings of 64 tokens). One recording's beams already share
 * each decoder step, the encoder is per window anyway, and many live windows cost more memory traffic than the
 * shared weight reads save. It is kept for equal results in fewer calls and for devices where a wide step is
 * cheap.
 *
 * <p>Memory: the encoder outputs and decoder caches of one round ({@code batchSize} windows) are live at once, and
 * every input's mel spectrogram is held by the caller. Not thread-safe per call, but one instance may serve
 * several threads with separate calls (the model is shared).
 */
public final class BatchTranscriber {
    /** One recording to transcribe, with its own options (e.g. its speech regions) and listener (nullable). */
    public record Input(MelSource mel, TranscribeOptions options, TranscriptionListener listener) {
        public Input {
            Objects.requireNonNull(mel, "mel");
            Objects.requireNonNull(options, "options");
        }
    }

    private final SpeechModel model;
    private final int batchSize;

    /** @throws IllegalArgumentException when {@code batchSize < 1} */
    public BatchTranscriber(SpeechModel model, int batchSize) {
        this.model = Objects.requireNonNull(model, "model");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Transcribes every recording with the same options; results in input order. */
    public List<Transcription> transcribe(List<MelSource> mels, TranscribeOptions options) {
        Objects.requireNonNull(options, "options");
        List<Input> inputs = new ArrayList<>(mels.size());
        for (MelSource mel : mels) {
            inputs.add(new Input(mel, options, null));
        }
        return transcribeAll(inputs);
    }

    /**
     * Transcribes every input; results in input order.
     *
     * @throws IllegalArgumentException when there is no input, or a mel source does not fit the model
     */
    public List<Transcription> transcribeAll(List<Input> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("no recordings to transcribe");
        }
        for (Input in : inputs) {
            Transcriber.checkInput(model, Objects.requireNonNull(in, "input").mel());
        }
        Transcription[] results = new Transcription[inputs.size()];
        Deque<Integer> pending = new ArrayDeque<>();
        for (int i = 0; i < inputs.size(); i++) {
            pending.add(i);
        }
        List<InFlight> round = new ArrayList<>();
        while (true) {
            while (round.size() < batchSize && !pending.isEmpty()) {
                int index = pending.poll();
                Input in = inputs.get(index);
                InFlight f = new InFlight(index, new TranscriptionRun(model, in.mel(), in.options(), in.listener()));
                if (f.advance()) {
                    round.add(f);
                } else {
                    results[index] = f.run.result();
                }
            }
            if (round.isEmpty()) {
                break;
            }
            decodeRound(round);
            List<InFlight> next = new ArrayList<>(round.size());
            for (InFlight f : round) {
                if (f.advance()) {
                    next.add(f);
                } else {
                    results[f.index] = f.run.result();
                }
            }
            round = next;
        }
        return List.of(results);
    }

    /** One recording in flight and its current window. */
    private static final class InFlight {
        final int index;
        final TranscriptionRun run;
        TranscriptionRun.Window window;

        InFlight(int index, TranscriptionRun run) {
            this.index = index;
            this.run = run;
        }

        /** Moves to the next window; false when the recording is done. */
        boolean advance() {
            window = run.nextWindow();
            return window != null;
        }
    }

    /**
     * Encodes the round's windows together, decodes them with their temperature fallback in lock-step and records
     * the results.
     */
    private void decodeRound(List<InFlight> round) {
        int n = round.size();
        List<float[]> mels = new ArrayList<>(n);
        for (InFlight f : round) {
            mels.add(f.run.windowMel(f.window));
        }
        List<AudioFeatures> features = model.encodeBatch(mels);
        List<WindowDecoder> decoders = new ArrayList<>(n);
        try {
            for (AudioFeatures a : features) {
                decoders.add(new WindowDecoder(model, a));
            }
            DecodingResult[] results = decodeWithFallback(round, decoders);
            for (int i = 0; i < n; i++) {
                round.get(i).run.complete(round.get(i).window, features.get(i), results[i]);
            }
        } finally {
            for (WindowDecoder d : decoders) {
                d.close();
            }
            for (AudioFeatures a : features) {
                a.close();
            }
        }
    }

    /**
     * {@link Transcriber#decodeWithFallback} of every window of the round, attempt by attempt: the first
     * temperature of every window in one lock-step search (after one lock-step prefill), then the next temperature
     * of the windows whose decode failed the gates, and so on.
     */
    private DecodingResult[] decodeWithFallback(List<InFlight> round, List<WindowDecoder> decoders) {
        int n = round.size();
        DecodingResult[] results = new DecodingResult[n];
        List<Integer> todo = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            todo.add(i);
        }
        for (int attempt = 0; !todo.isEmpty(); attempt++) {
            List<WindowDecoder.Plan> plans = new ArrayList<>(todo.size());
            for (int i : todo) {
                InFlight f = round.get(i);
                plans.add(decoders.get(i).plan(Transcriber.tryOptions(f.run.options(), f.run.language(),
                        f.window.prompt(), f.window.seek(), attempt)));
            }
            List<SessionPool.Prefill> prefills;
            if (attempt == 0) { // every window's first prefill in one forward
                List<SessionPool> pools = new ArrayList<>(todo.size());
                List<int[]> initial = new ArrayList<>(todo.size());
                int[] sotIndex = new int[todo.size()];
                for (int j = 0; j < todo.size(); j++) {
                    pools.add(decoders.get(todo.get(j)).pool());
                    initial.add(plans.get(j).initial());
                    sotIndex[j] = plans.get(j).sotIndex();
                }
                prefills = SessionPool.prefillAll(model, pools, initial, sotIndex);
            } else { // the same initial tokens: the pools reuse their prefill
                prefills = new ArrayList<>(todo.size());
                for (int j = 0; j < todo.size(); j++) {
                    WindowDecoder.Plan plan = plans.get(j);
                    prefills.add(decoders.get(todo.get(j)).pool().prefill(plan.initial(), plan.sotIndex()));
                }
            }
            List<CandidateSearch> searches = new ArrayList<>(todo.size());
            for (int j = 0; j < todo.size(); j++) {
                searches.add(decoders.get(todo.get(j)).search(plans.get(j), prefills.get(j)));
            }
            LockStepSearch.run(model, searches);
            List<Integer> retry = new ArrayList<>();
            for (int j = 0; j < todo.size(); j++) {
                int i = todo.get(j);
                results[i] = decoders.get(i).result(plans.get(j), prefills.get(j), searches.get(j).candidates());
                TranscribeOptions o = round.get(i).run.options();
                if (Transcriber.needsFallback(results[i], o) && attempt + 1 < o.temperatures().size()) {
                    Transcriber.logFallback(round.get(i).window.seek(), o.temperatures().get(attempt), results[i]);
                    retry.add(i);
                }
            }
            todo = retry;
        }
        return results;
    }
}
