package org.dqwhisper.cuda;

/**
 * How a weight matrix {@code x[N,K]} is fake-quantized: one scale per tensor, per output channel
 * (row), or per group of {@code group} (32, 64 or 128) consecutive elements along K (the last group
 * of a row may be shorter); {@code bits} 2..8; symmetric ({@code q ∈ [-(2^(b-1)-1), 2^(b-1)-1]}, no
 * zero point) or asymmetric ({@code q ∈ [0, 2^b-1]} with a zero point per scale).
 */
public record FakeQuantSpec(Granularity granularity, int group, int bits, boolean symmetric) {
    public enum Granularity { PER_TENSOR, PER_CHANNEL, PER_GROUP }

    public FakeQuantSpec {
        if (granularity == null) throw new IllegalArgumentException("fake quant: granularity is null");
        if (bits < 2 || bits > 8) throw new IllegalArgumentException("fake quant: bits must be 2..8, got " + bits);
        if (granularity == Granularity.PER_GROUP && group != 32 && group != 64 && group != 128) {
            throw new IllegalArgumentException("fake quant: group must be 32, 64 or 128, got " + group);
        }
    }

    public static FakeQuantSpec perTensor(int bits, boolean symmetric) {
        return new FakeQuantSpec(Granularity.PER_TENSOR, 0, bits, symmetric);
    }

    public static FakeQuantSpec perChannel(int bits, boolean symmetric) {
        return new FakeQuantSpec(Granularity.PER_CHANNEL, 0, bits, symmetric);
    }

    public static FakeQuantSpec perGroup(int group, int bits, boolean symmetric) {
        return new FakeQuantSpec(Granularity.PER_GROUP, group, bits, symmetric);
    }

    /** Number of scales (and zero points) for {@code x[n,k]}. */
    public long scaleCount(long n, long k) {
        switch (granularity) {
            case PER_TENSOR: return 1;
            case PER_CHANNEL: return n;
            default: return Math.multiplyExact(n, (k + group - 1) / group);
        }
    }

    /** Largest quantized level. */
    public int qmax() {
        return symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** Smallest quantized level. */
    public int qmin() {
        return symmetric ? -qmax() : 0;
    }

    int granularityCode() {
        return granularity.ordinal();
    }
}
