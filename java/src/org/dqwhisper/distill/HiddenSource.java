package org.dqwhisper.distill;

import java.util.Locale;

/**
 * Which decoder FFN activations the hidden-state term L_hid compares (method note §2.1). The logits (CE, KL)
 * always come from the causal-masked training forward.
 */
public enum HiddenSource {
    /** The activations of the causal-masked training forward itself (the default: what the model computes). */
    MASKED("masked"),
    /**
     * The authors' code: each decoder block's FFN activation recomputed from that block's causal-pass input with
     * the self-attention unmasked (every position sees the later tokens too, and in a padded batch the padding at the
     * end of shorter rows, as in the authors' code), for teacher and student alike; the student's gradient flows back
     * through the recompute.
     */
    UNMASKED_RECOMPUTE("unmasked-recompute");

    private final String spec;

    HiddenSource(String spec) {
        this.spec = spec;
    }

    public String spec() {
        return spec;
    }

    public static HiddenSource parse(String s) {
        if (s != null) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            for (HiddenSource h : values()) if (h.spec.equals(t)) return h;
        }
        throw new IllegalArgumentException("unknown hidden-state source '" + s + "' (expected masked or unmasked-recompute)");
    }

    @Override
    public String toString() {
        return spec;
    }
}
