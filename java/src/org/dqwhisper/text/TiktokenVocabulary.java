package org.dqwhisper.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

/**
 * The mergeable ranks of a tiktoken BPE: token byte strings and their ranks (= token ids), read from a
 * {@code .tiktoken} file (one line per token: {@code base64(bytes) SP rank}).
 *
 * <p>Ranks must be dense ({@code 0 .. size()-1}, each exactly once) and byte strings unique, as whisper's
 * {@code get_encoding} assumes when it numbers the special tokens from {@code size()} on. One token may be empty:
 * whisper's {@code multilingual.tiktoken} has the line {@code "= 50256"}, which Python's lenient
 * {@code base64.b64decode} reads as {@code b""}; such a token is never produced by encoding and decodes to nothing. Lookups of a byte slice
 * go through an allocation-free open-addressing hash table. Immutable and thread-safe.
 */
public final class TiktokenVocabulary {
    private static final int EMPTY = -1;

    private final byte[] pool;      // all token bytes, concatenated in rank order
    private final int[] offsets;    // token r occupies pool[offsets[r] .. offsets[r+1])
    private final int[] table;      // open addressing: rank or EMPTY
    private final int mask;
    private final int maxTokenLength;
    private final String source;

    private TiktokenVocabulary(byte[][] tokensByRank, String source) {
        this.source = source;
        int n = tokensByRank.length;
        offsets = new int[n + 1];
        int total = 0;
        int maxLen = 0;
        for (int r = 0; r < n; r++) {
            offsets[r] = total;
            total += tokensByRank[r].length;
            maxLen = Math.max(maxLen, tokensByRank[r].length);
        }
        offsets[n] = total;
        pool = new byte[total];
        for (int r = 0; r < n; r++) {
            System.arraycopy(tokensByRank[r], 0, pool, offsets[r], tokensByRank[r].length);
        }
        maxTokenLength = maxLen;
        int capacity = Integer.highestOneBit(Math.max(4, n) * 2) * 2;  // load factor <= 0.5
        table = new int[capacity];
        mask = capacity - 1;
        Arrays.fill(table, EMPTY);
        for (int r = 0; r < n; r++) {
            if (offsets[r + 1] == offsets[r]) {
                continue;  // the empty token cannot be looked up
            }
            int slot = hash(pool, offsets[r], offsets[r + 1]) & mask;
            while (table[slot] != EMPTY) {
                slot = (slot + 1) & mask;
            }
            table[slot] = r;
        }
    }

    /** Reads a {@code .tiktoken} file. */
    public static TiktokenVocabulary load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString());
        }
    }

    /** Reads a vocabulary bundled in the jar, e.g. {@code /org/dqwhisper/assets/multilingual.tiktoken}. */
    public static TiktokenVocabulary fromResource(String resourcePath) throws IOException {
        try (InputStream in = TiktokenVocabulary.class.getResourceAsStream(resourcePath)) {
            if (in == null) {
                throw new IOException("vocabulary resource not found on the class path: " + resourcePath);
            }
            return load(in, "resource " + resourcePath);
        }
    }

    /**
     * Reads {@code .tiktoken} text from a stream (not closed). {@code sourceName} names the input in error messages.
     *
     * @throws IOException on a malformed line (naming the line), a duplicate token or rank, or gaps in the ranks
     */
    public static TiktokenVocabulary load(InputStream in, String sourceName) throws IOException {
        byte[] text = in.readAllBytes();
        byte[][] byRank = new byte[1 << 16][];
        int count = 0;
        int maxRank = -1;
        int emptyRank = -1;
        Base64.Decoder base64 = Base64.getDecoder();
        int lineNo = 0;
        int pos = 0;
        while (pos < text.length) {
            lineNo++;
            int lineEnd = pos;
            while (lineEnd < text.length && text[lineEnd] != '\n') {
                lineEnd++;
            }
            // Fields separated by ASCII white space, like Python's str.split().
            int[] bounds = new int[4];
            int fields = 0;
            int i = pos;
            while (i < lineEnd) {
                while (i < lineEnd && isAsciiSpace(text[i])) {
                    i++;
                }
                if (i == lineEnd) {
                    break;
                }
                int fieldStart = i;
                while (i < lineEnd && !isAsciiSpace(text[i])) {
                    i++;
                }
                if (fields < 2) {
                    bounds[2 * fields] = fieldStart;
                    bounds[2 * fields + 1] = i;
                }
                fields++;
            }
            pos = lineEnd + 1;
            if (fields == 0) {
                continue;
            }
            if (fields != 2) {
                throw new IOException(sourceName + ":" + lineNo + ": expected 'base64 rank', got " + fields
                        + " fields");
            }
            byte[] token;
            int rank;
            try {
                token = decodeBase64(base64, text, bounds[0], bounds[1]);
                rank = Integer.parseInt(new String(text, bounds[2], bounds[3] - bounds[2], StandardCharsets.ISO_8859_1));
            } catch (IllegalArgumentException e) {  // also NumberFormatException
                throw new IOException(sourceName + ":" + lineNo + ": malformed entry: " + e.getMessage(), e);
            }
            if (rank < 0) {
                throw new IOException(sourceName + ":" + lineNo + ": negative rank " + rank);
            }
            if (token.length == 0) {
                if (emptyRank >= 0) {
                    throw new IOException(sourceName + ":" + lineNo + ": a second empty token (the first has rank "
                            + emptyRank + ")");
                }
                emptyRank = rank;
            }
            if (rank >= byRank.length) {
                if (rank > 100_000_000) {
                    throw new IOException(sourceName + ":" + lineNo + ": implausible rank " + rank);
                }
                byRank = Arrays.copyOf(byRank, Math.max(rank + 1, byRank.length * 2));
            }
            if (byRank[rank] != null) {
                throw new IOException(sourceName + ":" + lineNo + ": rank " + rank + " appears twice");
            }
            byRank[rank] = token;
            count++;
            maxRank = Math.max(maxRank, rank);
        }
        if (count == 0) {
            throw new IOException(sourceName + ": no tokens");
        }
        if (maxRank != count - 1) {
            throw new IOException(sourceName + ": ranks are not dense: " + count + " tokens but the largest rank is "
                    + maxRank);
        }
        TiktokenVocabulary vocabulary = new TiktokenVocabulary(Arrays.copyOf(byRank, count), sourceName);
        vocabulary.checkUniqueTokens();
        return vocabulary;
    }

    private static boolean isAsciiSpace(byte b) {
        return b == ' ' || (b >= 0x09 && b <= 0x0D);
    }

    /** Base64 of {@code text[from, to)}; a field of only '=' is the empty token (Python decodes it to b""). */
    private static byte[] decodeBase64(Base64.Decoder base64, byte[] text, int from, int to) {
        boolean onlyPadding = true;
        for (int i = from; i < to; i++) {
            onlyPadding &= text[i] == '=';
        }
        return onlyPadding ? new byte[0] : base64.decode(Arrays.copyOfRange(text, from, to));
    }

    private void checkUniqueTokens() throws IOException {
        for (int r = 0; r < size(); r++) {
            if (offsets[r + 1] == offsets[r]) {
                continue;
            }
            int found = rank(pool, offsets[r], offsets[r + 1]);
            if (found != r) {
                throw new IOException(source + ": token of rank " + r + " duplicates the token of rank " + found);
            }
        }
    }

    /** Number of mergeable tokens; the first special token id of an encoding built on this vocabulary. */
    public int size() {
        return offsets.length - 1;
    }

    /** Length in bytes of the longest token. */
    public int maxTokenLength() {
        return maxTokenLength;
    }

    /** Where the vocabulary was read from (for messages). */
    public String source() {
        return source;
    }

    /** The rank of the byte string {@code bytes[from, to)}, or -1 when it is not a token. */
    public int rank(byte[] bytes, int from, int to) {
        int length = to - from;
        if (length <= 0 || length > maxTokenLength) {
            return -1;
        }
        int slot = hash(bytes, from, to) & mask;
        while (true) {
            int r = table[slot];
            if (r == EMPTY) {
                return -1;
            }
            int start = offsets[r];
            if (offsets[r + 1] - start == length
                    && Arrays.equals(pool, start, start + length, bytes, from, to)) {
                return r;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** A copy of the bytes of token {@code rank}. */
    public byte[] tokenBytes(int rank) {
        checkRank(rank);
        return Arrays.copyOfRange(pool, offsets[rank], offsets[rank + 1]);
    }

    /** Length in bytes of token {@code rank}. */
    public int tokenLength(int rank) {
        checkRank(rank);
        return offsets[rank + 1] - offsets[rank];
    }

    /** Copies the bytes of token {@code rank} into {@code out} at {@code at}; returns the number of bytes. */
    public int copyTokenBytes(int rank, byte[] out, int at) {
        checkRank(rank);
        int length = offsets[rank + 1] - offsets[rank];
        System.arraycopy(pool, offsets[rank], out, at, length);
        return length;
    }

    private void checkRank(int rank) {
        if (rank < 0 || rank >= size()) {
            throw new IllegalArgumentException("token rank " + rank + " outside [0, " + size() + ") of " + source);
        }
    }

    private static int hash(byte[] bytes, int from, int to) {
        int h = 0x811C9DC5;
        for (int i = from; i < to; i++) {
            h = (h ^ (bytes[i] & 0xFF)) * 0x01000193;  // FNV-1a
        }
        h ^= h >>> 16;                                 // spread high bits into the low bits used by the mask
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }

    @Override
    public String toString() {
        return "TiktokenVocabulary[" + size() + " tokens from " + source + "]";
    }
}
