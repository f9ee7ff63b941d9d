package org.dqwhisper.quant;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What quantization-aware training (and the export after it) quantizes, and how. Shared by the
 * fake-quant training path ({@link FakeQuant}) and the integer export.
 *
 * <p>Defaults reproduce the paper (DQ-Whisper, Shao et al. 2024, and its authors' code): decoder
 * Linear weights, 8-bit, one symmetric abs-max scale per tensor recomputed at every forward,
 * straight-through estimator ({@link #paperDefault()}, spec {@code w8}).
 *
 * <p>Inputs of the quantized Linears: the integer GEMMs that run an export ({@code Int8Gemm},
 * {@code Int4Gemm}) always quantize their input per row, dynamic symmetric 8-bit. So for every config
 * that has an integer form ({@link #hasIntegerForm()}) the training forward fake-quantizes the inputs
 * the same way by default ({@link #quantizesInputs()}), and trains exactly the arithmetic the exported
 * model runs. The option {@code weight-only} turns that off: the authors' weight-only fake quant
 * (reproduction; the exported model then computes something slightly different from what was trained).
 *
 * <p>Spec strings ({@link #parse}, {@link #toString} writes the canonical form back):
 * <pre>
 *   none                                   no quantization
 *   w&lt;bits&gt;[c|g&lt;G&gt;][a8][:option]...
 *     bits 2..8;  no suffix = one scale per tensor,  c = per output channel,  g&lt;G&gt; = per group of G
 *     consecutive input features (e.g. w4g64);  a8 = activations quantized per row, dynamic
 *     symmetric 8-bit, exactly as the INT8 GEMM does it (needs 8-bit symmetric, not per-group weights;
 *     implied anyway for every config with an integer form unless weight-only is given)
 *   options:  asym  (asymmetric, zero point)      lsq  (learned step size instead of STE)
 *             signed-max  (the authors' quirk: scale from max(W), not max|W|, no clamp; reproduction only)
 *             weight-only  (do not fake-quantize the Linear inputs: the authors' training forward)
 *             scope=decoder-linear-weights (default) | all-linear | encoder-linear-weights
 * </pre>
 * Examples: {@code w8} (paper), {@code w8:signed-max} (the authors' exact quantizer), {@code w8ca8}
 * (what {@code Int8Gemm} runs), {@code w4g64} (the INT4 kernel), {@code w4g128:lsq:scope=all-linear}.
 *
 * @param weightBits     2..8, or 0 when nothing is quantized ({@link #NONE})
 * @param granularity    how many weights share a scale
 * @param groupSize      input features per group for {@link Granularity#PER_GROUP}, else 0
 * @param symmetric      zero point 0 and range [-Q, Q], Q = 2^(bits-1) - 1; else asymmetric [0, 2^bits - 1]
 * @param estimator      gradient estimator (and whether the scale is learned)
 * @param signedMaxQuirk the authors' {@code m = max(W)} scale without clamping (symmetric, STE only)
 * @param scope          which tensors are quantized
 * @param activations    whether the inputs of the quantized Linear layers are quantized explicitly ({@code a8})
 * @param weightOnly     the authors' weight-only fake quant: inputs not quantized even where the export's
 *                       integer kernels quantize them (see {@link #quantizesInputs()})
 */
public record QuantConfig(int weightBits, Granularity granularity, int groupSize, boolean symmetric,
                          Estimator estimator, boolean signedMaxQuirk, Scope scope, Activations activations,
                          boolean weightOnly) {

    /** How many weights share one scale (weights are {@code W[N,K]}, Linear layout). */
    public enum Granularity { PER_TENSOR, PER_CHANNEL, PER_GROUP }

    /** STE: straight-through estimator with clipping gradient, scales recomputed from the weights at
     * every forward. LSQ: learned step size (Esser et al. 2020), the scale is a trained parameter. */
    public enum Estimator { STE, LSQ }

    /** Activations of the quantized Linear layers: none, or per-row dynamic symmetric 8-bit. */
    public enum Activations { NONE, PER_ROW_8BIT }

    /** Which tensors are quantized (OpenAI tensor names, see {@link #appliesTo}). */
    public enum Scope {
        /** Every Linear weight in the decoder blocks: self- and cross-attention q/k/v/out, fc1, fc2 (the paper). */
        DECODER_LINEAR_WEIGHTS("decoder-linear-weights", "decoder"),
        /** The block Linear weights of both encoder and decoder. */
        ALL_LINEAR("all-linear", "encoder|decoder"),
        /** The block Linear weights of the encoder only. */
        ENCODER_LINEAR_WEIGHTS("encoder-linear-weights", "encoder");

        private final String spec;
        private final Pattern names;

        Scope(String spec, String parts) {
            this.spec = spec;
            this.names = Pattern.compile("(" + parts + ")\\.blocks\\.\\d+\\.((attn|cross_attn)\\.(query|key|value|out)|mlp\\.[02])\\.weight");
        }

        public String spec() {
            return spec;
        }

        /** Whether the OpenAI-named tensor (e.g. {@code decoder.blocks.3.mlp.0.weight}) is in this scope. */
        public boolean matches(String openAiName) {
            return openAiName != null && names.matcher(openAiName).matches();
        }

        static Scope parse(String s) {
            for (Scope sc : values()) if (sc.spec.equals(s)) return sc;
            throw new IllegalArgumentException("unknown quantization scope '" + s + "' (expected decoder-linear-weights,"
                    + " all-linear or encoder-linear-weights)");
        }
    }

    /** No quantization at all. */
    public static final QuantConfig NONE = new QuantConfig(0, Granularity.PER_TENSOR, 0, true, Estimator.STE, false,
            Scope.DECODER_LINEAR_WEIGHTS, Activations.NONE, false);

    private static final Pattern COMPACT = Pattern.compile("w(\\d+)(c|g(\\d+))?(a(\\d+))?");

    public QuantConfig {
        if (granularity == null || estimator == null || scope == null || activations == null) {
            throw new IllegalArgumentException("quantization config: granularity, estimator, scope and activations must not be null");
        }
        if (weightBits == 0) {
            if (activations != Activations.NONE) {
                throw new IllegalArgumentException("quantization config: activations can only be quantized together with weights");
            }
            if (weightOnly) throw new IllegalArgumentException("quantization config: weight-only needs quantized weights");
        } else {
            if (weightBits < 2 || weightBits > 8) {
                throw new IllegalArgumentException("quantization config: weight bits must be 2..8, got " + weightBits);
            }
            if (granularity == Granularity.PER_GROUP ? groupSize < 1 : groupSize != 0) {
                throw new IllegalArgumentException("quantization config: group size " + groupSize + " is only valid (and then"
                        + " must be >= 1) for per-group scales, granularity is " + granularity);
            }
            if (signedMaxQuirk && (!symmetric || estimator != Estimator.STE)) {
                throw new IllegalArgumentException("quantization config: the signed-max quirk is a symmetric STE quantizer");
            }
            if (estimator == Estimator.LSQ && !symmetric) {
                throw new IllegalArgumentException("quantization config: LSQ is implemented for symmetric scales only");
            }
            if (activations == Activations.PER_ROW_8BIT && (weightBits != 8 || !symmetric || signedMaxQuirk
                    || granularity == Granularity.PER_GROUP)) {
                throw new IllegalArgumentException("quantization config: a8 trains what the INT8 GEMM runs, so it needs"
                        + " 8-bit symmetric weights with one scale per tensor or per channel (no signed-max quirk)");
            }
            if (weightOnly && activations != Activations.NONE) {
                throw new IllegalArgumentException("quantization config: weight-only contradicts a8 (quantized activations)");
            }
        }
    }

    /** The paper's setting: {@code w8}. */
    public static QuantConfig paperDefault() {
        return parse("w8");
    }

    /** Parses a spec string (see the class comment); the message of a bad spec names the offending part. */
    public static QuantConfig parse(String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("quantization spec is empty");
        String[] parts = spec.trim().toLowerCase(Locale.ROOT).split(":", -1);
        if (parts[0].equals("none")) {
            if (parts.length > 1) throw new IllegalArgumentException("quantization spec '" + spec + "': 'none' takes no options");
            return NONE;
        }
        Matcher m = COMPACT.matcher(parts[0]);
        if (!m.matches()) {
            throw new IllegalArgumentException("quantization spec '" + spec + "': expected 'none' or w<bits>[c|g<group>][a8]"
                    + "[:option...], e.g. w8, w8ca8, w4g64");
        }
        int bits = parseInt(m.group(1), spec);
        Granularity gran = m.group(2) == null ? Granularity.PER_TENSOR
                : m.group(2).equals("c") ? Granularity.PER_CHANNEL : Granularity.PER_GROUP;
        int group = gran == Granularity.PER_GROUP ? parseInt(m.group(3), spec) : 0;
        Activations act = Activations.NONE;
        if (m.group(4) != null) {
            if (!m.group(5).equals("8")) {
                throw new IllegalArgumentException("quantization spec '" + spec + "': only 8-bit activations (a8) are supported");
            }
            act = Activations.PER_ROW_8BIT;
        }
        boolean symmetric = true, quirk = false, weightOnly = false;
        Estimator est = Estimator.STE;
        Scope scope = Scope.DECODER_LINEAR_WEIGHTS;
        for (int i = 1; i < parts.length; i++) {
            String o = parts[i];
            if (o.equals("asym")) symmetric = false;
            else if (o.equals("lsq")) est = Estimator.LSQ;
            else if (o.equals("signed-max")) quirk = true;
            else if (o.equals("weight-only")) weightOnly = true;
            else if (o.startsWith("scope=")) scope = Scope.parse(o.substring(6));
            else throw new IllegalArgumentException("quantization spec '" + spec + "': unknown option '" + o
                    + "' (expected asym, lsq, signed-max, weight-only or scope=...)");
        }
        return new QuantConfig(bits, gran, group, symmetric, est, quirk, scope, act, weightOnly);
    }

    private static int parseInt(String s, String spec) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("quantization spec '" + spec + "': number '" + s + "' out of range");
        }
    }

    /** Whether anything is quantized. */
    public boolean enabled() {
        return weightBits > 0;
    }

    /** Whether {@code a8} was asked for explicitly; what training does is {@link #quantizesInputs()}. */
    public boolean quantizesActivations() {
        return activations == Activations.PER_ROW_8BIT;
    }

    /**
     * Whether the training forward fake-quantizes the inputs of the quantized Linears per row (dynamic
     * symmetric 8-bit, the integer GEMMs' quantizer): with {@code a8}, and by default for every config
     * with an integer form (its export runs on {@code Int8Gemm}/{@code Int4Gemm}, which always quantize
     * their inputs), unless {@code weight-only}.
     */
    public boolean quantizesInputs() {
        return quantizesActivations() || (!weightOnly && hasIntegerForm());
    }

    /** Whether the quantized weights can be exported to the integer kernels ({@link #integerFormProblem()} is null). */
    public boolean hasIntegerForm() {
        return enabled() && integerFormProblem() == null;
    }

    /**
     * Why this config has no integer form (INT8 storage for 5-8 bits with one scale per tensor or channel,
     * INT4 storage for at most 4 bits with groups a multiple of 4), or null when it has one (or quantizes nothing).
     */
    public String integerFormProblem() {
        if (!enabled()) return null;
        if (!symmetric || signedMaxQuirk) {
            return "only symmetric quantizers without the signed-max quirk have an integer form, config is " + this;
        }
        if (weightBits > 4 && granularity == Granularity.PER_GROUP) {
            return "the INT8 GEMM has one scale per output channel; per-group scales need <= 4 bits, config is " + this;
        }
        if (weightBits <= 4 && granularity == Granularity.PER_GROUP && (groupSize < 4 || groupSize % 4 != 0)) {
            return "INT4 groups must be a multiple of 4, config is " + this;
        }
        return null;
    }

    /** This config with {@code weight-only} set or cleared. */
    public QuantConfig withWeightOnly(boolean on) {
        return new QuantConfig(weightBits, granularity, groupSize, symmetric, estimator, signedMaxQuirk, scope, activations, on);
    }

    /** Whether the OpenAI-named tensor is quantized under this config. */
    public boolean appliesTo(String openAiName) {
        return enabled() && scope.matches(openAiName);
    }

    /** Largest code magnitude: {@code 2^(bits-1) - 1} symmetric, {@code 2^bits - 1} asymmetric. */
    public int qmax() {
        if (!enabled()) throw new IllegalStateException("no quantization configured");
        return symmetric ? (1 << (weightBits - 1)) - 1 : (1 << weightBits) - 1;
    }

    /** Input features per scale for a weight with {@code k} input features (k for per-tensor/per-channel). */
    public long segmentLength(long k) {
        return granularity == Granularity.PER_GROUP ? Math.min(groupSize, k) : k;
    }

    /** Shape of the scale tensor of a weight {@code [n, k]}: {@code [1]}, {@code [n]} or {@code [n, ceil(k/G)]}. */
    public long[] scaleShape(long n, long k) {
        if (!enabled()) throw new IllegalStateException("no quantization configured");
        return switch (granularity) {
            case PER_TENSOR -> new long[] {1};
            case PER_CHANNEL -> new long[] {n};
            case PER_GROUP -> new long[] {n, (k + segmentLength(k) - 1) / segmentLength(k)};
        };
    }

    @Override
    public String toString() {
        if (!enabled()) return "none";
        StringBuilder b = new StringBuilder("w").append(weightBits);
        if (granularity == Granularity.PER_CHANNEL) b.append('c');
        if (granularity == Granularity.PER_GROUP) b.append('g').append(groupSize);
        if (quantizesActivations()) b.append("a8");
        if (!symmetric) b.append(":asym");
        if (estimator == Estimator.LSQ) b.append(":lsq");
        if (signedMaxQuirk) b.append(":signed-max");
        if (weightOnly) b.append(":weight-only");
        if (scope != Scope.DECODER_LINEAR_WEIGHTS) b.append(":scope=").append(scope.spec());
        return b.toString();
    }
}
