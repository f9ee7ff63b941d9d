package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Greedy decoding (temperature 0) or best-of-N sampling (temperature > 0) of one window as a
 * {@link CandidateSearch}: N independent {@link Hypothesis hypotheses}, each on its own session, each decoded until
 * its end-of-text or length limit. Member i samples with its own random stream, the i-th seed drawn from
 * {@code options.seed()}, so the members' choices do not depend on the order their steps run in.
 */
final class SamplingSearch implements CandidateSearch {
    private final List<Hypothesis> hypotheses = new ArrayList<>();
    private final List<TokenSampler> samplers = new ArrayList<>();
    private final List<SessionPool.Slot> slots;
    private final List<LogitFilter> filters;
    /** Members fed by the last {@link #pending} call, in its order. */
    private final List<Integer> asked = new ArrayList<>();

    SamplingSearch(SessionPool pool, SessionPool.Prefill prefill, List<LogitFilter> filters, double temperature,
            int groupSize, long seed, int sampleLen, int nTextCtx, int eot) {
        this.filters = filters;
        this.slots = pool.acquire(groupSize);
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int member = 0; member < groupSize; member++) {
            Hypothesis h = new Hypothesis(prefill.tokens(), sampleLen, nTextCtx, eot);
            TokenSampler sampler = new TokenSampler(temperature, new SplittableRandom(seeds.nextLong()));
            if (!h.done()) {
                h.accept(prefill.lastLogits().clone(), filters, sampler);
            }
            hypotheses.add(h);
            samplers.add(sampler);
        }
    }

    @Override
    public boolean done() {
        for (Hypothesis h : hypotheses) {
            if (!h.done()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void pending(List<SessionPool.Slot> out, List<Integer> tokens) {
        asked.clear();
        for (int member = 0; member < hypotheses.size(); member++) {
            Hypothesis h = hypotheses.get(member);
            if (!h.done()) {
                asked.add(member);
                out.add(slots.get(member));
                tokens.add(h.lastToken());
            }
        }
    }

    @Override
    public void accept(float[][] logits, int from) {
        for (int j = 0; j < asked.size(); j++) {
            int member = asked.get(j);
            hypotheses.get(member).accept(logits[from + j], filters, samplers.get(member));
        }
        asked.clear();
    }

    @Override
    public List<Candidate> candidates() {
        List<Candidate> out = new ArrayList<>(hypotheses.size());
        for (Hypothesis h : hypotheses) {
            out.add(h.candidate());
        }
        return out;
    }
}
