package org.dqwhisper.text;

import java.util.Arrays;

/**
 * Byte-level BPE of one piece, as tiktoken's {@code byte_pair_merge}: start from single bytes and repeatedly merge
 * the adjacent pair whose concatenation has the lowest rank (the leftmost one on ties), until no adjacent pair is a
 * token; the ids are then the ranks of the remaining parts.
 *
 * <p>Two implementations with identical results: a linear scan over an array of part boundaries (tiktoken's own
 * approach, fastest for the short pieces of ordinary text) and, for long pieces, a heap of candidate merges
 * ordered by (rank, position) over a linked list of parts, O(n log n) instead of O(n²). Not thread-safe: each
 * thread uses its own instance (scratch arrays are reused).
 */
final class BytePairMerger {
    /** Pieces of at least this many bytes use the heap path. */
    static final int HEAP_THRESHOLD = 128;

    private static final int NONE = Integer.MAX_VALUE;

    private final TiktokenVocabulary ranks;
    private int[] starts = new int[64];
    private int[] pairRanks = new int[64];
    private int[] next = new int[0];
    private int[] prev = new int[0];
    private int[] partRanks = new int[0];  // heap path: rank of (part k + following part); -1 once k is merged away
    private long[] heap = new long[0];

    BytePairMerger(TiktokenVocabulary ranks) {
        this.ranks = ranks;
    }

    /**
     * Appends the ids of {@code bytes[0, n)} (n ≥ 2, not itself a token) to {@code out}.
     * {@code forceHeap} selects the heap path regardless of length (for tests).
     */
    void merge(byte[] bytes, int n, IntList out, boolean forceHeap) {
        if (forceHeap || n >= HEAP_THRESHOLD) {
            mergeWithHeap(bytes, n, out);
        } else {
            mergeLinear(bytes, n, out);
        }
    }

    private void mergeLinear(byte[] bytes, int n, IntList out) {
        if (starts.length < n + 1) {
            starts = new int[Math.max(n + 1, starts.length * 2)];
            pairRanks = new int[starts.length];
        }
        int[] s = starts;
        int[] r = pairRanks;
        // parts[k] = bytes[s[k], s[k+1]); r[k] = rank of parts k and k+1 joined; m+1 boundaries for m parts.
        int m = n;
        for (int k = 0; k <= n; k++) {
            s[k] = k;
        }
        for (int k = 0; k < n - 1; k++) {
            r[k] = rankOrNone(bytes, k, k + 2);
        }
        r[n - 1] = NONE;
        while (m > 1) {
            int best = NONE;
            int at = -1;
            for (int k = 0; k < m - 1; k++) {
                if (r[k] < best) {
                    best = r[k];
                    at = k;
                }
            }
            if (at < 0) {
                break;
            }
            // Join parts at and at+1: drop boundary at+1.
            System.arraycopy(s, at + 2, s, at + 1, m - at - 1);
            System.arraycopy(r, at + 2, r, at + 1, m - at - 2);
            m--;
            r[at] = at + 2 <= m ? rankOrNone(bytes, s[at], s[at + 2]) : NONE;
            if (at > 0) {
                r[at - 1] = rankOrNone(bytes, s[at - 1], s[at + 1]);
            }
        }
        for (int k = 0; k < m; k++) {
            out.add(ranks.rank(bytes, s[k], s[k + 1]));
        }
    }

    private void mergeWithHeap(byte[] bytes, int n, IntList out) {
        if (next.length < n + 1) {
            next = new int[n + 1];
            prev = new int[n + 1];
            partRanks = new int[n + 1];
        }
        // Part k starts at byte k while alive; next[k] is the start of the following part (n = end sentinel).
        for (int k = 0; k <= n; k++) {
            next[k] = k + 1;
            prev[k] = k - 1;
        }
        int size = 0;
        for (int k = 0; k < n - 1; k++) {
            int rank = rankOrNone(bytes, k, k + 2);
            partRanks[k] = rank;
            if (rank != NONE) {
                size = push(size, rank, k);
            }
        }
        partRanks[n - 1] = NONE;
        while (size > 0) {
            long top = heap[0];
            size = pop(size);
            int rank = (int) (top >>> 32);
            int k = (int) top;
            if (partRanks[k] != rank) {
                continue;  // stale: part k was merged away (rank set to -1) or its pair rank changed
            }
            int right = next[k];
            int after = next[right];
            next[k] = after;
            if (after <= n - 1) {
                prev[after] = k;
            }
            partRanks[right] = -1;
            int newRank = after < n ? rankOrNone(bytes, k, next[after]) : NONE;
            partRanks[k] = newRank;
            if (newRank != NONE) {
                size = push(size, newRank, k);
            }
            int before = prev[k];
            if (before >= 0) {
                int leftRank = rankOrNone(bytes, before, after);
                partRanks[before] = leftRank;
                if (leftRank != NONE) {
                    size = push(size, leftRank, before);
                }
            }
        }
        for (int k = 0; k < n; k = next[k]) {
            out.add(ranks.rank(bytes, k, next[k]));
        }
    }

    private int rankOrNone(byte[] bytes, int from, int to) {
        int rank = ranks.rank(bytes, from, to);
        return rank < 0 ? NONE : rank;
    }

    // Binary min-heap of (rank << 32 | position): ordering by rank, then by position (leftmost first).

    private int push(int size, int rank, int position) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, Math.max(16, size * 2));
        }
        long key = ((long) rank << 32) | position;
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= key) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = key;
        return size + 1;
    }

    private int pop(int size) {
        int last = size - 1;
        long key = heap[last];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last) {
                break;
            }
            if (child + 1 < last && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= key) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (last > 0) {
            heap[i] = key;
        }
        return last;
    }
}
