package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The decoder sessions of one window: a prefill of the initial tokens shared by every hypothesis and every
 * temperature of the fallback, and as many sessions as the widest search needed so far. Memory is therefore
 * bounded by the largest group size, and sessions are reused between attempts by rolling them back to the prefill
 * instead of being reallocated.
 *
 * <p>Each {@link Slot} remembers the tokens its cache holds, so moving a cache between hypotheses is skipped when
 * the target already holds the same tokens (e.g. at the first beam-search step, where every beam is the prefill).
 */
final class SessionPool implements AutoCloseable {
    /** A session and the tokens in its cache. */
    static final class Slot {
        final DecoderSession session;
        int[] content;

        Slot(DecoderSession session, int[] content) {
            this.session = session;
            this.content = content;
        }
    }

    /** The first-step logits of a prefill: at the start-of-transcript position and at the last initial token. */
    record Prefill(int[] tokens, float[] sotLogits, float[] lastLogits) {}

    private final SpeechModel model;
    private final AudioFeatures audio;
    private final List<Slot> slots = new ArrayList<>();
    private Prefill prefill;
    private boolean closed;

    SessionPool(SpeechModel model, AudioFeatures audio) {
        this.model = model;
        this.audio = audio;
    }

    /**
     * Feeds {@code initialTokens} into a session (or reuses the previous prefill when the tokens are the same) and
     * returns the logits at {@code sotIndex} and at the last initial token. The returned arrays are shared: copy
     * before modifying.
     */
    Prefill prefill(int[] initialTokens, int sotIndex) {
        ensureOpen();
        if (prefill != null && Arrays.equals(prefill.tokens(), initialTokens)) {
            return prefill;
        }
        closeSessions();
        Slot first = new Slot(model.startDecoder(audio), new int[0]);
        slots.add(first);
        int last = initialTokens.length - 1;
        float[][] logits = sotIndex == last
                ? first.session.feed(initialTokens, last)
                : first.session.feed(initialTokens, sotIndex, last);
        first.content = initialTokens.clone();
        prefill = new Prefill(initialTokens.clone(), logits[0], logits[logits.length - 1]);
        return prefill;
    }

    /**
     * {@link #prefill} of several windows' pools in one lock-step decoder forward ({@link SpeechModel#feedBatch}):
     * pool i gets a fresh session fed {@code initialTokens.get(i)}.
     */
    static List<Prefill> prefillAll(SpeechModel model, List<SessionPool> pools, List<int[]> initialTokens,
            int[] sotIndex) {
        int n = pools.size();
        List<DecoderSession> sessions = new ArrayList<>(n);
        int[][] tokens = new int[n][];
        int[][] rows = new int[n][];
        for (int i = 0; i < n; i++) {
            SessionPool pool = pools.get(i);
            pool.ensureOpen();
            pool.closeSessions();
            Slot first = new Slot(pool.model.startDecoder(pool.audio), new int[0]);
            pool.slots.add(first);
            sessions.add(first.session);
            tokens[i] = initialTokens.get(i).clone();
            int last = tokens[i].length - 1;
            rows[i] = sotIndex[i] == last ? new int[] {last} : new int[] {sotIndex[i], last};
        }
        float[][][] logits = model.feedBatch(sessions, tokens, rows);
        List<Prefill> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SessionPool pool = pools.get(i);
            pool.slots.get(0).content = tokens[i];
            pool.prefill = new Prefill(tokens[i].clone(), logits[i][0], logits[i][logits[i].length - 1]);
            out.add(pool.prefill);
        }
        return out;
    }

    /** {@code n} slots whose caches hold exactly the prefill, creating sessions by forking where needed. */
    List<Slot> acquire(int n) {
        ensureOpen();
        if (prefill == null) {
            throw new IllegalStateException("prefill() must come before acquire()");
        }
        int[] tokens = prefill.tokens();
        Slot base = slots.get(0);
        rewind(base, tokens);
        while (slots.size() < n) {
            slots.add(new Slot(base.session.fork(), tokens));
        }
        List<Slot> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Slot slot = slots.get(i);
            rewind(slot, tokens);
            out.add(slot);
        }
        return out;
    }

    private static void rewind(Slot slot, int[] prefillTokens) {
        if (slot.content.length != prefillTokens.length) {
            slot.session.rollback(prefillTokens.length);
            slot.content = prefillTokens;
        }
    }

    /** Appends one token to a slot's cache and returns the next-token logits. */
    static float[] feed(Slot slot, int token) {
        float[] logits = slot.session.feed(new int[] {token}, 0)[0];
        int[] content = Arrays.copyOf(slot.content, slot.content.length + 1);
        content[slot.content.length] = token;
        slot.content = content;
        return logits;
    }

    /**
     * Appends {@code tokens[i]} to {@code slots.get(i)}'s cache for every i in one lock-step decoder forward and
     * returns each one's next-token logits.
     */
    static float[][] feedAll(SpeechModel model, List<Slot> slots, int[] tokens) {
        int n = slots.size();
        List<DecoderSession> sessions = new ArrayList<>(n);
        int[][] fed = new int[n][];
        int[][] rows = new int[n][];
        for (int i = 0; i < n; i++) {
            sessions.add(slots.get(i).session);
            fed[i] = new int[] {tokens[i]};
            rows[i] = new int[] {0};
        }
        float[][][] logits = model.feedBatch(sessions, fed, rows);
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            Slot slot = slots.get(i);
            int[] content = Arrays.copyOf(slot.content, slot.content.length + 1);
            content[slot.content.length] = tokens[i];
            slot.content = content;
            out[i] = logits[i][0];
        }
        return out;
    }

    /** Makes {@code target}'s cache a copy of {@code source}'s (skipped when they already hold the same tokens). */
    static void copy(Slot target, Slot source) {
        if (!Arrays.equals(target.content, source.content)) {
            target.session.copyFrom(source.session);
            target.content = source.content;
        }
    }

    /** Number of live sessions (for tests of resource use). */
    int sessionCount() {
        return slots.size();
    }

    private void closeSessions() {
        RuntimeException failure = null;
        for (Slot slot : slots) {
            try {
                slot.session.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        slots.clear();
        prefill = null;
        if (failure != null) {
            throw failure;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("session pool is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeSessions();
        }
    }
}
