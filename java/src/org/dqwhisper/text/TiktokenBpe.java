package org.dqwhisper.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiktoken {@code Encoding}: byte-level BPE over a {@link TiktokenVocabulary}, the GPT-2 split pattern
 * ({@link Gpt2PieceSplitter}) and a set of special tokens, with tiktoken's encode/decode semantics.
 *
 * <p>Encoding: the text is cut at the allowed special tokens; each stretch between them is split into pieces;
 * a piece whose UTF-8 bytes are a token maps to that id, otherwise it goes through {@link BytePairMerger}.
 * Lone UTF-16 surrogates are encoded as U+FFFD (as tiktoken's Python binding does). No Unicode normalisation.
 * Decoding concatenates token bytes (special tokens as their UTF-8 text) and, for strings, decodes them with
 * {@link ReplacingUtf8Decoder}.
 *
 * <p>Thread-safe: per-thread scratch buffers, and a shared bounded cache from piece text to ids.
 */
public final class TiktokenBpe {
    /** Pieces up to this many chars are cached. */
    private static final int CACHE_MAX_PIECE_CHARS = 48;
    /** The cache is emptied when it grows past this many entries (cheap bound; frequent pieces come back fast). */
    private static final int CACHE_MAX_ENTRIES = 1 << 17;

    private final TiktokenVocabulary ranks;
    private final Map<String, Integer> specialTokens;   // in id order
    private final byte[][] specialBytesById;            // index id - ranks.size(); null where no special
    private final boolean[] specialFirstAscii = new boolean[128];
    private final char[] specialFirstOther;        // sorted
    private final int vocabularySize;
    private final ConcurrentHashMap<String, int[]> pieceCache = new ConcurrentHashMap<>();
    private final ThreadLocal<Scratch> scratch;

    /**
     * @param ranks         the mergeable tokens; every single byte 0..255 must be one of them
     * @param specialTokens special token text → id; ids must be ≥ {@code ranks.size()} and distinct
     */
    public TiktokenBpe(TiktokenVocabulary ranks, Map<String, Integer> specialTokens) {
        this.ranks = ranks;
        byte[] one = new byte[1];
        for (int b = 0; b < 256; b++) {
            one[0] = (byte) b;
            if (ranks.rank(one, 0, 1) < 0) {
                throw new IllegalArgumentException(ranks.source() + " has no token for the single byte 0x"
                        + Integer.toHexString(b) + "; byte-level BPE needs all 256");
            }
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(specialTokens.entrySet());
        entries.sort(Comparator.comparingInt(Map.Entry::getValue));
        int maxId = ranks.size() - 1;
        Map<String, Integer> ordered = new LinkedHashMap<>();
        StringBuilder firstOther = new StringBuilder();
        for (Map.Entry<String, Integer> e : entries) {
            String name = e.getKey();
            int id = e.getValue();
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("empty special token name (id " + id + ")");
            }
            if (id < ranks.size()) {
                throw new IllegalArgumentException("special token " + name + " has id " + id
                        + ", inside the BPE ranks [0, " + ranks.size() + ")");
            }
            if (id == maxId) {
                throw new IllegalArgumentException("special token " + name + " reuses id " + id);
            }
            maxId = id;
            ordered.put(name, id);
            char first = name.charAt(0);
            if (first < 128) {
                specialFirstAscii[first] = true;
            } else {
                firstOther.append(first);
            }
        }
        this.specialTokens = Collections.unmodifiableMap(ordered);
        char[] others = firstOther.toString().toCharArray();
        Arrays.sort(others);
        this.specialFirstOther = others;
        this.vocabularySize = maxId + 1;
        this.specialBytesById = new byte[vocabularySize - ranks.size()][];
        for (Map.Entry<String, Integer> e : ordered.entrySet()) {
            specialBytesById[e.getValue() - ranks.size()] = Utf8Text.encode(e.getKey());
        }
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(ranks));
    }

    /** The mergeable tokens. */
    public TiktokenVocabulary ranks() {
        return ranks;
    }

    /** Largest token id + 1 (tiktoken's {@code n_vocab}). */
    public int vocabularySize() {
        return vocabularySize;
    }

    /** Special token text → id, in id order (unmodifiable). */
    public Map<String, Integer> specialTokens() {
        return specialTokens;
    }

    /** Whether {@code id} is a special token. */
    public boolean isSpecial(int id) {
        int k = id - ranks.size();
        return k >= 0 && k < specialBytesById.length && specialBytesById[k] != null;
    }

    /**
     * tiktoken's default {@code encode(text)}: no special token allowed, and text that spells any special token is
     * rejected.
     *
     * @throws IllegalArgumentException when the text contains special-token text (tiktoken's ValueError)
     */
    public int[] encode(String text) {
        return encode(text, Set.of(), specialTokens.keySet());
    }

    /** {@code encode(text, allowed_special=allowed)}: the others stay disallowed (tiktoken's default). */
    public int[] encode(String text, Set<String> allowedSpecial) {
        Set<String> disallowed = new java.util.HashSet<>(specialTokens.keySet());
        disallowed.removeAll(allowedSpecial);
        return encode(text, allowedSpecial, disallowed);
    }

    /** {@code encode(text, allowed_special="all")}: special-token text becomes the special id. */
    public int[] encodeWithSpecialTokens(String text) {
        return encode(text, specialTokens.keySet(), Set.of());
    }

    /** {@code encode_ordinary(text)}: special-token text is encoded as plain text. */
    public int[] encodeOrdinary(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        encodeOrdinary(text, 0, text.length(), out);
        return out.toArray();
    }

    /**
     * tiktoken's {@code encode(text, allowed_special, disallowed_special)}.
     *
     * @throws IllegalArgumentException if the text contains a disallowed special token, or a set names a string
     *                                  that is not a special token of this encoding
     */
    public int[] encode(String text, Set<String> allowedSpecial, Set<String> disallowedSpecial) {
        requireSpecialNames(allowedSpecial, "allowed");
        requireSpecialNames(disallowedSpecial, "disallowed");
        if (!disallowedSpecial.isEmpty()) {
            int[] hit = findSpecial(text, 0, disallowedSpecial);
            if (hit != null) {
                String name = text.substring(hit[0], hit[1]);
                throw new IllegalArgumentException("Encountered text corresponding to disallowed special token '"
                        + name + "' at char " + hit[0] + "; pass it in allowedSpecial to encode it as a special"
                        + " token, or use encodeOrdinary to encode it as plain text");
            }
        }
        IntList out = new IntList(text.length() / 3 + 4);
        int start = 0;
        while (true) {
            int[] hit = allowedSpecial.isEmpty() ? null : findSpecial(text, start, allowedSpecial);
            int end = hit == null ? text.length() : hit[0];
            encodeOrdinary(text, start, end, out);
            if (hit == null) {
                return out.toArray();
            }
            out.add(specialTokens.get(text.substring(hit[0], hit[1])));
            start = hit[1];
        }
    }

    /** Runs the BPE merge on {@code utf8} (length ≥ 2) with the chosen path, without the whole-token shortcut. */
    int[] mergeBytes(byte[] utf8, boolean heapPath) {
        IntList out = new IntList(utf8.length);
        new BytePairMerger(ranks).merge(utf8, utf8.length, out, heapPath);
        return out.toArray();
    }

    private void requireSpecialNames(Set<String> names, String what) {
        if (names == specialTokens.keySet()) {
            return;
        }
        for (String name : names) {
            if (!specialTokens.containsKey(name)) {
                throw new IllegalArgumentException(what + " special token '" + name
                        + "' is not a special token of this encoding");
            }
        }
    }

    /** Leftmost occurrence at or after {@code from} of any of {@code names}: {start, end}, or null. */
    private int[] findSpecial(String text, int from, Set<String> names) {
        for (int p = from; p < text.length(); p++) {
            char c = text.charAt(p);
            if (c < 128 ? !specialFirstAscii[c] : Arrays.binarySearch(specialFirstOther, c) < 0) {
                continue;
            }
            // Special names of one encoding do not overlap in whisper; take the longest for determinism.
            int bestEnd = -1;
            for (String name : names) {
                if (name.length() > bestEnd - p && text.startsWith(name, p)) {
                    bestEnd = p + name.length();
                }
            }
            if (bestEnd >= 0) {
                return new int[] {p, bestEnd};
            }
        }
        return null;
    }

    private void encodeOrdinary(String text, int from, int to, IntList out) {
        if (from >= to) {
            return;
        }
        Scratch s = scratch.get();
        Gpt2PieceSplitter.split(text, from, to, (start, end) -> encodePiece(text, start, end, s, out));
    }

    private void encodePiece(String text, int start, int end, Scratch s, IntList out) {
        String key = null;
        if (end - start <= CACHE_MAX_PIECE_CHARS) {
            key = text.substring(start, end);
            int[] cached = pieceCache.get(key);
            if (cached != null) {
                out.addAll(cached);
                return;
            }
        }
        byte[] bytes = s.ensure(Utf8Text.maxBytes(end - start));
        int n = Utf8Text.encode(text, start, end, bytes);
        int rank = ranks.rank(bytes, 0, n);
        int before = out.size();
        if (rank >= 0) {
            out.add(rank);
        } else {
            s.merger.merge(bytes, n, out, false);
        }
        if (key != null) {
            if (pieceCache.size() >= CACHE_MAX_ENTRIES) {
                pieceCache.clear();
            }
            pieceCache.put(key, out.copyRange(before, out.size()));
        }
    }

    /** Concatenated bytes of the tokens (special tokens as their UTF-8 text). */
    public byte[] decodeBytes(int[] ids) {
        int total = 0;
        for (int i = 0; i < ids.length; i++) {
            total += tokenLength(ids[i], i);
        }
        byte[] out = new byte[total];
        int at = 0;
        for (int id : ids) {
            if (id < ranks.size()) {
                at += ranks.copyTokenBytes(id, out, at);
            } else {
                byte[] special = specialBytesById[id - ranks.size()];
                System.arraycopy(special, 0, out, at, special.length);
                at += special.length;
            }
        }
        return out;
    }

    /** tiktoken's {@code decode(ids)}: the bytes decoded as UTF-8 with Python's {@code errors="replace"}. */
    public String decode(int[] ids) {
        return ReplacingUtf8Decoder.decode(decodeBytes(ids));
    }

    /** The bytes of one token (a special token's UTF-8 text for special ids). */
    public byte[] tokenBytes(int id) {
        tokenLength(id, 0);
        if (id < ranks.size()) {
            return ranks.tokenBytes(id);
        }
        return specialBytesById[id - ranks.size()].clone();
    }

    private int tokenLength(int id, int position) {
        if (id >= 0 && id < ranks.size()) {
            return ranks.tokenLength(id);
        }
        if (isSpecial(id)) {
            return specialBytesById[id - ranks.size()].length;
        }
        throw new IllegalArgumentException("invalid token id " + id + " at position " + position
                + " (vocabulary size " + vocabularySize + ")");
    }

    /** Splits text into pre-tokenization pieces (for tests and diagnostics). */
    static List<String> splitPieces(String text) {
        List<String> pieces = new ArrayList<>();
        Gpt2PieceSplitter.split(text, 0, text.length(), (s, e) -> pieces.add(text.substring(s, e)));
        return pieces;
    }

    /** Per-thread reusable buffers. */
    private static final class Scratch {
        byte[] bytes = new byte[256];
        final BytePairMerger merger;

        Scratch(TiktokenVocabulary ranks) {
            merger = new BytePairMerger(ranks);
        }

        byte[] ensure(int capacity) {
            if (bytes.length < capacity) {
                bytes = Arrays.copyOf(bytes, Math.max(capacity, bytes.length * 2));
            }
            return bytes;
        }
    }

    @Override
    public String toString() {
        return "TiktokenBpe[" + ranks.size() + " ranks + " + specialTokens.size() + " special tokens from "
                + ranks.source() + "]";
    }
}
