package org.dqwhisper.whisper;

import java.util.Map;
import java.util.Random;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.io.WhisperTensorNames;

/**
 * Tiny random Whisper models for the gradient checks. Weights are scaled so that every activation is
 * of order one (N(0, 1/fan_in) weights, LayerNorm gains near 1, N(0, 0.1) biases): then every path
 * contributes visibly to the gradients and a missing or wrong term cannot hide below the tolerance.
 */
final class TinyWhisper {
    private TinyWhisper() {}

    /** d=32, 2 heads, 1 encoder + 1 decoder block, 12 mel bins, n_audio_ctx 8 (16 frames), 101 tokens, 16 positions. */
    static WhisperConfig config() {
        return WhisperConfig.of(12, 8, 32, 2, 1, 101, 16, 32, 2, 1);
    }

    static WhisperModel build(WhisperConfig cfg, long seed) {
        Map<String, long[]> shapes = WhisperTensorNames.expected(cfg);
        Random rnd = new Random(seed);
        return WhisperModel.build(cfg, new TensorSource() {
            @Override
            public boolean has(String name) {
                return shapes.containsKey(name);
            }

            @Override
            public Tensor take(String name) {
                long[] shape = shapes.get(name);
                if (shape == null) throw new IllegalArgumentException("no tensor " + name);
                Tensor t = Tensor.allocate(name, DType.F32, shape);
                t.copyFrom(values(name, shape, rnd));
                return t;
            }
        }, Precision.FP32);
    }

    private static float[] values(String name, long[] shape, Random rnd) {
        int n = 1;
        for (long d : shape) n *= (int) d;
        float[] v = new float[n];
        boolean layerNormGain = shape.length == 1 && name.endsWith(".weight");
        double std;
        double mean = 0;
        if (layerNormGain) {
            mean = 1;
            std = 0.1;
        } else if (shape.length == 1) {
            std = 0.1; // biases, LayerNorm shifts
        } else if (name.endsWith("positional_embedding")) {
            std = 0.5;
        } else {
            long fanIn = shape[1] * (shape.length == 3 ? shape[2] : 1);
            std = 1 / Math.sqrt(fanIn);
        }
        for (int i = 0; i < n; i++) v[i] = (float) (mean + std * rnd.nextGaussian());
        return v;
    }

    static float[] gaussian(Random rnd, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (std * rnd.nextGaussian());
        return v;
    }
}
