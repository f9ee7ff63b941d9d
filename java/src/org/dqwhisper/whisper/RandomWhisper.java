package org.dqwhisper.whisper;

import java.util.Map;
import java.util.SplittableRandom;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.io.WhisperTensorNames;

/**
 * Whisper-architecture weights drawn at random (seeded) for any {@link WhisperConfig}: for benchmarks
 * at the official sizes (no real weights can be downloaded here) and for training from scratch.
 * Linear/conv weights ~ U(±1/√fan_in) (PyTorch's default bound), biases 0, LayerNorm γ=1 β=0, token
 * embedding ~ N(0, 0.02²)-like uniform, encoder positions = Whisper's sinusoids.
 */
public final class RandomWhisper implements TensorSource {
    private final WhisperConfig config;
    private final Map<String, long[]> shapes;
    private final long seed;

    public RandomWhisper(WhisperConfig config, long seed) {
        this.config = config;
        this.shapes = WhisperTensorNames.expected(config);
        this.seed = seed;
    }

    /** Official dimensions by name: tiny, base, small, medium, large-v3 (and the .en variants). */
    public static WhisperConfig officialConfig(String name) {
        boolean en = name.endsWith(".en");
        String base = en ? name.substring(0, name.length() - 3) : name;
        int vocab = en ? 51864 : 51865;
        switch (base) {
            case "tiny": return WhisperConfig.of(80, 1500, 384, 6, 4, vocab, 448, 384, 6, 4);
            case "base": return WhisperConfig.of(80, 1500, 512, 8, 6, vocab, 448, 512, 8, 6);
            case "small": return WhisperConfig.of(80, 1500, 768, 12, 12, vocab, 448, 768, 12, 12);
            case "medium": return WhisperConfig.of(80, 1500, 1024, 16, 24, vocab, 448, 1024, 16, 24);
            case "large-v3": return WhisperConfig.of(128, 1500, 1280, 20, 32, 51866, 448, 1280, 20, 32);
            case "turbo": case "large-v3-turbo": return WhisperConfig.of(128, 1500, 1280, 20, 32, 51866, 448, 1280, 20, 4);
            default: throw new IllegalArgumentException("unknown Whisper size '" + name + "' (tiny, base, small, medium, large-v3, turbo; .en)");
        }
    }

    public WhisperConfig config() {
        return config;
    }

    @Override
    public boolean has(String name) {
        return shapes.containsKey(name);
    }

    @Override
    public Tensor take(String name) {
        long[] shape = shapes.get(name);
        if (shape == null) throw new IllegalArgumentException("no tensor '" + name + "' in a Whisper of " + config);
        Tensor t = Tensor.allocate(name, DType.F32, shape);
        float[] v = new float[(int) t.numel()];
        SplittableRandom r = new SplittableRandom(seed ^ name.hashCode() * 0x9E3779B97F4A7C15L);
        if (name.endsWith("positional_embedding") && name.startsWith("encoder")) {
            sinusoids((int) shape[0], (int) shape[1], v);
        } else if (name.endsWith(".bias")) {
            // zeros
        } else if (name.contains("ln") && name.endsWith(".weight")) {
            java.util.Arrays.fill(v, 1f);
        } else {
            double bound = name.contains("embedding") ? 0.035 : 1.0 / Math.sqrt(fanIn(shape));
            for (int i = 0; i < v.length; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
        t.copyFrom(v);
        return t;
    }

    private static long fanIn(long[] shape) {
        long f = 1;
        for (int i = 1; i < shape.length; i++) f *= shape[i];
        return Math.max(1, f);
    }

    /** Whisper's sinusoidal positions: [sin(t·e^(-k·ln(10000)/(c/2-1))) | cos(...)]. */
    static void sinusoids(int length, int channels, float[] out) {
        int half = channels / 2;
        double inc = Math.log(10000) / (half - 1);
        for (int t = 0; t < length; t++) {
            for (int k = 0; k < half; k++) {
                double a = t * Math.exp(-inc * k);
                out[t * channels + k] = (float) Math.sin(a);
                out[t * channels + half + k] = (float) Math.cos(a);
            }
        }
    }
}
