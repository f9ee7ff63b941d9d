package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * Greedy decoding (temperature 0, one hypothesis) of several windows in lock-step: one decoder forward per
 * step for all windows still decoding, so the decoder's matrix products see one row per live window instead of
 * one (see {@link SpeechModel#feedBatch}). The prefills of all windows go through one forward too. A window drops
 * out after its end-of-text, a full context or its {@code sampleLen}; the others go on.
 *
 * <p>Each window uses the same {@link WindowDecoder#plan}, {@link Hypothesis} and {@link WindowDecoder#result} as
 * {@link WindowDecoder#decode}, so with a model whose batched forward gives the single-window numbers the results
 * are identical to decoding each window alone. The windows' decoders keep their sessions, so a temperature
 * fallback on one of them continues from the shared prefill as usual.
 */
final class LockStepGreedy {
    private LockStepGreedy() {}

    /**
     * Decodes window i with {@code options.get(i)} on {@code decoders.get(i)}.
     *
     * @throws IllegalArgumentException when the lists differ in length, are empty, or an option is not single
     *     greedy ({@link WindowDecoder#isSingleGreedy})
     */
    static List<DecodingResult> decode(SpeechModel model, List<WindowDecoder> decoders, List<DecodingOptions> options) {
        int n = decoders.size();
        if (n == 0 || options.size() != n) {
            throw new IllegalArgumentException("lock-step decoding needs one option set per window, got " + n
                    + " windows and " + options.size() + " option sets");
        }
        List<WindowDecoder.Plan> plans = new ArrayList<>(n);
        List<SessionPool> pools = new ArrayList<>(n);
        List<int[]> initial = new ArrayList<>(n);
        int[] sotIndex = new int[n];
        for (int i = 0; i < n; i++) {
            if (!WindowDecoder.isSingleGreedy(options.get(i))) {
                throw new IllegalArgumentException("window " + i + ": lock-step decoding is greedy only (temperature 0,"
                        + " no beam search, no best-of), got " + options.get(i));
            }
            if (decoders.get(i).model() != model) {
                throw new IllegalArgumentException("window " + i + " is decoded with another model");
            }
            WindowDecoder.Plan plan = decoders.get(i).plan(options.get(i));
            plans.add(plan);
            pools.add(decoders.get(i).pool());
            initial.add(plan.initial());
            sotIndex[i] = plan.sotIndex();
        }
        List<SessionPool.Prefill> prefills = SessionPool.prefillAll(model, pools, initial, sotIndex);
        TokenSampler argmax = new TokenSampler(0, null);
        int eot = model.tokenizer().eot();
        List<Hypothesis> hypotheses = new ArrayList<>(n);
        List<SessionPool.Slot> slots = new ArrayList<>(n);
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            WindowDecoder.Plan plan = plans.get(i);
            Hypothesis h = new Hypothesis(prefills.get(i).tokens(), plan.sampleLen(), plan.nTextCtx(), eot);
            hypotheses.add(h);
            slots.add(pools.get(i).acquire(1).get(0));
            if (!h.done()) {
                h.accept(prefills.get(i).lastLogits().clone(), plan.filters(), argmax);
            }
            if (!h.done()) {
                live.add(i);
            }
        }
        while (!live.isEmpty()) {
            List<SessionPool.Slot> liveSlots = new ArrayList<>(live.size());
            int[] last = new int[live.size()];
            for (int j = 0; j < live.size(); j++) {
                liveSlots.add(slots.get(live.get(j)));
                last[j] = hypotheses.get(live.get(j)).lastToken();
            }
            float[][] logits = SessionPool.feedAll(model, liveSlots, last);
            List<Integer> still = new ArrayList<>(live.size());
            for (int j = 0; j < live.size(); j++) {
                int i = live.get(j);
                Hypothesis h = hypotheses.get(i);
                h.accept(logits[j], plans.get(i).filters(), argmax);
                if (!h.done()) {
                    still.add(i);
                }
            }
            live = still;
        }
        List<DecodingResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(decoders.get(i).result(plans.get(i), prefills.get(i), List.of(hypotheses.get(i).candidate())));
        }
        return out;
    }
}
