package org.dqwhisper.decode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The decoder cross-attention heads used for word timestamps, as {@code (layer, head)} pairs in ascending order
 * (the order whisper's sparse mask yields them).
 *
 * <p>OpenAI publishes them per model as a base85 (RFC 1924 alphabet, Python's {@code base64.b85encode}) string of
 * a gzip stream of {@code n_text_layer x n_text_head} booleans, one byte each, row-major. {@link #forModel} decodes
 * those strings; {@link #fromBase85} decodes any such dump.
 */
public record AlignmentHeads(int nLayers, int nHeads, List<int[]> heads) {
    /** Python's base85 alphabet (RFC 1924). */
    private static final String B85_ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

    /** Model name, n_text_layer, n_text_head, base85 mask, as published in whisper's {@code _ALIGNMENT_HEADS}. */
    private static final Object[][] OFFICIAL = {
        {"tiny.en", 4, 6, "ABzY8J1N>@0{>%R00Bk>$p{7v037`oCl~+#00"},
        {"tiny", 4, 6, "ABzY8bu8Lr0{>%RKn9Fp%m@SkK7Kt=7ytkO"},
        {"base.en", 6, 8, "ABzY8;40c<0{>%RzzG;p*o+Vo09|#PsxSZm00"},
        {"base", 6, 8, "ABzY8KQ!870{>%RzyTQH3`Q^yNP!>##QT-<FaQ7m"},
        {"small.en", 12, 12, "ABzY8>?_)10{>%RpeA61k&I|OI3I$65C{;;pbCHh0B{qLQ;+}v00"},
        {"small", 12, 12, "ABzY8DmU6=0{>%Rpa?J`kvJ6qF(V^F86#Xh7JUGMK}P<N0000"},
        {"medium.en", 24, 16, "ABzY8usPae0{>%R7<zz_OvQ{)4kMa0BMw6u5rT}kRKX;$NfYBv00*Hl@qhsU00"},
        {"medium", 24, 16, "ABzY8B0Jh+0{>%R7}kK1fFL7w6%<-Pf*t^=N)Qr&0RR9"},
        {"large-v1", 32, 20, "ABzY8r9j$a0{>%R7#4sLmoOs{s)o3~84-RPdcFk!JR<kSfC2yj"},
        {"large-v2", 32, 20,
            "ABzY8zd+h!0{>%R7=D0pU<_bnWW*tkYAhobTNnu$jnkEkXqp)j;w1Tzk)UH3X%SZd&fFZ2fC2yj"},
        {"large-v3", 32, 20, "ABzY8gWO1E0{>%R7(9S+Kn!D~%ngiGaR?*L!iJG9p-nab0JQ=-{D1-g00"},
        {"large-v3-turbo", 4, 20, "ABzY8j^C+e0{>%RARaKHP%t(lGR*)0g!tONPyhe`"},
    };
    private static final Map<String, String> ALIASES = Map.of("large", "large-v3", "turbo", "large-v3-turbo");

    public AlignmentHeads {
        if (nLayers <= 0 || nHeads <= 0) {
            throw new IllegalArgumentException("alignment heads need nLayers, nHeads > 0, got " + nLayers + ", " + nHeads);
        }
        List<int[]> copy = new ArrayList<>(heads.size());
        int previous = -1;
        for (int[] pair : heads) {
            if (pair.length != 2 || pair[0] < 0 || pair[0] >= nLayers || pair[1] < 0 || pair[1] >= nHeads) {
                throw new IllegalArgumentException("alignment head " + Arrays.toString(pair) + " outside "
                        + nLayers + " layers x " + nHeads + " heads");
            }
            int flat = pair[0] * nHeads + pair[1];
            if (flat <= previous) {
                throw new IllegalArgumentException("alignment heads must be distinct and in ascending (layer, head)"
                        + " order, got " + Arrays.toString(pair) + " after flat index " + previous);
            }
            previous = flat;
            copy.add(pair.clone());
        }
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("at least one alignment head is needed");
        }
        heads = List.copyOf(copy);
    }

    /** Number of heads. */
    public int size() {
        return heads.size();
    }

    /** Layer of head {@code i}. */
    public int layer(int i) {
        return heads.get(i)[0];
    }

    /** Head index within its layer, of head {@code i}. */
    public int head(int i) {
        return heads.get(i)[1];
    }

    /** Whisper's default: every head of layers {@code nLayers / 2 .. nLayers - 1}. */
    public static AlignmentHeads lastHalf(int nLayers, int nHeads) {
        List<int[]> list = new ArrayList<>();
        for (int layer = nLayers / 2; layer < nLayers; layer++) {
            for (int head = 0; head < nHeads; head++) {
                list.add(new int[] {layer, head});
            }
        }
        return new AlignmentHeads(nLayers, nHeads, list);
    }

    /** The published heads of an official model ("tiny.en", "base", ..., "large-v3", "turbo"). */
    public static AlignmentHeads forModel(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        key = ALIASES.getOrDefault(key, key);
        for (Object[] row : OFFICIAL) {
            if (row[0].equals(key)) {
                return fromBase85((String) row[3], (Integer) row[1], (Integer) row[2]);
            }
        }
        throw new IllegalArgumentException("no published alignment heads for model '" + name + "'");
    }

    /** Whether {@link #forModel} knows {@code name}. */
    public static boolean isKnownModel(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        key = ALIASES.getOrDefault(key, key);
        for (Object[] row : OFFICIAL) {
            if (row[0].equals(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decodes a base85 gzip boolean mask of {@code nLayers x nHeads} bytes.
     *
     * @throws IllegalArgumentException for a bad character, a corrupt gzip stream or a wrong mask size
     */
    public static AlignmentHeads fromBase85(String dump, int nLayers, int nHeads) {
        byte[] mask;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(base85Decode(dump)))) {
            mask = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalArgumentException("alignment-heads dump is not a gzip stream: " + e.getMessage(), e);
        }
        if (mask.length != nLayers * nHeads) {
            throw new IllegalArgumentException("alignment-heads mask has " + mask.length + " entries, expected "
                    + nLayers + " x " + nHeads + " = " + nLayers * nHeads);
        }
        List<int[]> list = new ArrayList<>();
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0) {
                list.add(new int[] {i / nHeads, i % nHeads});
            }
        }
        return new AlignmentHeads(nLayers, nHeads, list);
    }

    /**
     * Python's {@code base64.b85decode}: each group of 5 characters is a big-endian base-85 number giving 4 bytes;
     * a short last group is padded with the highest digit and the padding bytes dropped.
     */
    static byte[] base85Decode(String text) {
        byte[] chars = text.getBytes(StandardCharsets.US_ASCII);
        int padding = (5 - chars.length % 5) % 5;
        ByteArrayOutputStream out = new ByteArrayOutputStream(chars.length);
        for (int group = 0; group < chars.length + padding; group += 5) {
            long value = 0;
            for (int k = 0; k < 5; k++) {
                int pos = group + k;
                int digit = pos < chars.length ? B85_ALPHABET.indexOf(chars[pos]) : 84;
                if (digit < 0) {
                    throw new IllegalArgumentException("bad base85 character '" + (char) chars[pos] + "' at " + pos);
                }
                value = value * 85 + digit;
            }
            if (value > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("base85 overflow in group starting at " + group);
            }
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write((int) (value >>> shift) & 0xFF);
            }
        }
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, all.length - padding);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AlignmentHeads other) || other.nLayers != nLayers || other.nHeads != nHeads
                || other.heads.size() != heads.size()) {
            return false;
        }
        for (int i = 0; i < heads.size(); i++) {
            if (!Arrays.equals(heads.get(i), other.heads.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = nLayers * 31 + nHeads;
        for (int[] pair : heads) {
            h = h * 31 + Arrays.hashCode(pair);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("AlignmentHeads[");
        for (int[] pair : heads) {
            sb.append(Arrays.toString(pair));
        }
        return sb.append(" of ").append(nLayers).append('x').append(nHeads).append(']').toString();
    }
}
