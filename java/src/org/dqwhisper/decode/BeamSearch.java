package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whisper's {@code BeamSearchDecoder} for one window.
 *
 * <p>Each step, every live beam proposes its {@code beamSize + 1} most likely next tokens (after the logit
 * filters); the proposals are ranked by summed log-probability and walked from the best down: a proposal ending in
 * end-of-text is set aside as finished, any other becomes a live beam, until {@code beamSize} live beams are
 * found. Finished proposals are kept best first until {@code round(beamSize * patience)} of them exist, which ends
 * the search. If the search ends by length instead and fewer than {@code beamSize} finished, the best live beams
 * are added as if they ended there. The caller ranks the finished candidates with {@link SequenceRanker}.
 *
 * <p>One deviation: a proposal of a suppressed token (log-probability {@code -Infinity}) is dropped. Whisper keeps
 * such impossible beams when fewer than {@code beamSize + 1} tokens are allowed (e.g. near the end of the window,
 * where few timestamps remain); they can never win but waste decoder steps and can fill the finished list with
 * impossible candidates, ending the search early. With them dropped a step may have fewer than {@code beamSize}
 * live beams.
 *
 * <p>The search runs step by step ({@link CandidateSearch}), so that one decoder forward feeds all live beams (and
 * the beams of other windows, {@link LockStepSearch}). Each beam owns a {@link DecoderSession}; when several new beams descend from one old beam, the extra ones get
 * a copy of its cache in a session freed by a beam that was dropped (whisper's {@code rearrange_kv_cache}).
 */
final class BeamSearch implements CandidateSearch {
    /** A live beam: its whole context, its score, and the session holding the cache of all but its last token. */
    private record Beam(int[] tokens, double sumLogprob, SessionPool.Slot slot) {}

    /** A proposal: extend beam {@code source} by {@code token}. */
    private record Proposal(int source, int token, double score) {}

    private final List<LogitFilter> filters;
    private final int beamSize;
    private final long maxCandidates;
    private final int sampleBegin;
    private final int sampleLen;
    private final int nTextCtx;
    private final int eot;
    private List<Beam> live;
    private final List<SessionPool.Slot> idle;
    private final Map<List<Integer>, Double> finished = new LinkedHashMap<>();
    private int step;
    private boolean done;
    private List<Candidate> candidates;

    /** {@code round(beamSize * patience)} with Python's round-half-even; patience null means 1.0. */
    static long maxCandidates(int beamSize, Double patience) {
        return (long) Math.rint(beamSize * (patience == null ? 1.0 : patience));
    }

    /** Starts the search and takes its first step from the prefill's logits. */
    BeamSearch(SessionPool pool, SessionPool.Prefill prefill, List<LogitFilter> filters, int beamSize,
            Double patience, int sampleLen, int nTextCtx, int eot) {
        this.filters = filters;
        this.beamSize = beamSize;
        this.maxCandidates = maxCandidates(beamSize, patience);
        this.sampleBegin = prefill.tokens().length;
        this.sampleLen = sampleLen;
        this.nTextCtx = nTextCtx;
        this.eot = eot;
        List<SessionPool.Slot> slots = pool.acquire(beamSize);
        this.live = new ArrayList<>(List.of(new Beam(prefill.tokens(), 0.0, slots.get(0))));
        this.idle = new ArrayList<>(slots.subList(1, slots.size()));
        if (sampleLen <= 0) {
            finish();
        } else {
            step(new float[][] {prefill.lastLogits().clone()}, 0);
        }
    }

    @Override
    public boolean done() {
        return done;
    }

    @Override
    public void pending(List<SessionPool.Slot> slots, List<Integer> tokens) {
        for (Beam beam : live) {
            slots.add(beam.slot());
            tokens.add(beam.tokens()[beam.tokens().length - 1]);
        }
    }

    @Override
    public void accept(float[][] logits, int from) {
        if (done) {
            throw new IllegalStateException("beam search is over");
        }
        step(logits, from);
    }

    @Override
    public List<Candidate> candidates() {
        if (!done) {
            throw new IllegalStateException("beam search is still running");
        }
        return candidates;
    }

    /** One step: live beam b's next-token logits are {@code logits[from + b]}. */
    private void step(float[][] logits, int from) {
        List<Proposal> proposals = new ArrayList<>();
        for (int b = 0; b < live.size(); b++) {
            Beam beam = live.get(b);
            float[] row = logits[from + b];
            for (LogitFilter filter : filters) {
                filter.apply(row, beam.tokens());
            }
            // log-softmax is x - z, monotone in x: the best tokens by logit are the best by log-probability
            double z = Softmax.rowLogSumExp(row);
            for (int token : topK(row, beamSize + 1)) {
                if (row[token] != Float.NEGATIVE_INFINITY) { // a suppressed token is no proposal
                    proposals.add(new Proposal(b, token, beam.sumLogprob() + (row[token] - z)));
                }
            }
        }
        // stable sort: equal scores keep proposal order (beam order, then token rank)
        proposals.sort(Comparator.comparingDouble(Proposal::score).reversed());

        List<Proposal> kept = new ArrayList<>(beamSize);
        Map<List<Integer>, Double> newlyFinished = new LinkedHashMap<>();
        for (Proposal p : proposals) {
            if (p.token() == eot) {
                newlyFinished.put(asList(live.get(p.source()).tokens()), p.score());
            } else {
                kept.add(p);
                if (kept.size() == beamSize) {
                    break;
                }
            }
        }
        live = rearrange(live, kept, idle);

        for (Map.Entry<List<Integer>, Double> e : newlyFinished.entrySet()) { // already best first
            if (finished.size() >= maxCandidates) {
                break;
            }
            finished.put(e.getKey(), e.getValue());
        }
        boolean over = finished.size() >= maxCandidates || sampleBegin + step + 1 > nTextCtx;
        step++;
        if (over || step >= sampleLen || live.isEmpty()) {
            finish();
        }
    }

    /** Ends the search: tops up the finished list with live beams and makes the candidates. */
    private void finish() {
        if (finished.size() < beamSize) { // not enough finished: take the best unfinished beams as they are
            for (Beam beam : live) { // live beams are already best first
                finished.putIfAbsent(asList(beam.tokens()), beam.sumLogprob());
                if (finished.size() >= beamSize) {
                    break;
                }
            }
        }
        List<Candidate> out = new ArrayList<>(finished.size());
        for (Map.Entry<List<Integer>, Double> e : finished.entrySet()) {
            List<Integer> all = e.getKey();
            int[] sampled = new int[all.size() - sampleBegin];
            for (int i = 0; i < sampled.length; i++) {
                sampled[i] = all.get(sampleBegin + i);
            }
            out.add(new Candidate(sampled, e.getValue()));
        }
        candidates = out;
        done = true;
    }

    /**
     * The new live beams, each with a session holding its source's cache: the first descendant of a beam inherits
     * its session, further ones get a copy in an idle session (freed by dropped beams). Sessions of dropped beams
     * go back to {@code idle}.
     */
    private static List<Beam> rearrange(List<Beam> live, List<Proposal> kept, List<SessionPool.Slot> idle) {
        boolean[] inherited = new boolean[live.size()];
        boolean[] needsCopy = new boolean[kept.size()];
        for (int k = 0; k < kept.size(); k++) {
            int source = kept.get(k).source();
            needsCopy[k] = inherited[source];
            inherited[source] = true;
        }
        for (int b = 0; b < live.size(); b++) {
            if (!inherited[b]) {
                idle.add(live.get(b).slot());
            }
        }
        List<Beam> next = new ArrayList<>(kept.size());
        for (int k = 0; k < kept.size(); k++) {
            Proposal p = kept.get(k);
            Beam source = live.get(p.source());
            SessionPool.Slot slot = source.slot();
            if (needsCopy[k]) {
                slot = idle.remove(idle.size() - 1);
                SessionPool.copy(slot, source.slot());
            }
            int[] tokens = Arrays.copyOf(source.tokens(), source.tokens().length + 1);
            tokens[source.tokens().length] = p.token();
            next.add(new Beam(tokens, p.score(), slot));
        }
        return next;
    }

    /** Indices of the {@code k} largest entries, largest first; ties go to the lower index. */
    static int[] topK(float[] values, int k) {
        int n = Math.min(k, values.length);
        int[] best = new int[n];
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (size == n && !(v > values[best[n - 1]])) {
                continue;
            }
            int at = size < n ? size++ : n - 1;
            while (at > 0 && v > values[best[at - 1]]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        return best;
    }

    /** A hypothesis's context as a map key; whisper keys finished sequences the same way (plus a final EOT). */
    private static List<Integer> asList(int[] tokens) {
        List<Integer> list = new ArrayList<>(tokens.length);
        for (int t : tokens) {
            list.add(t);
        }
        return list;
    }
}
