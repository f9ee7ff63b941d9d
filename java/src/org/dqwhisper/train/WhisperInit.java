package org.dqwhisper.train;

import java.util.Map;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.TensorSource;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.WhisperTensorNames;

/**
 * A freshly initialised Whisper, as Hugging Face's {@code WhisperPreTrainedModel._init_weights}:
 * Linear and Conv1d weights and both embeddings N(0, 0.02²), biases 0, LayerNorm gain 1 and shift
 * 0, and the encoder's fixed positional embedding the sinusoids of OpenAI's {@code sinusoids()}
 * (max timescale 10000). Deterministic for a seed.
 */
public final class WhisperInit {
    public static final double INIT_STD = 0.02;

    private WhisperInit() {}

    /** A new FP32 model with freshly drawn weights. */
    public static WhisperModel random(WhisperConfig config, long seed) {
        return WhisperModel.build(config, source(config, seed), Precision.FP32);
    }

    /** The initial tensors by OpenAI name (drawn in the order they are taken). */
    public static TensorSource source(WhisperConfig config, long seed) {
        Map<String, long[]> shapes = WhisperTensorNames.expected(config);
        TrainingRng rng = new TrainingRng(seed);
        return new TensorSource() {
            @Override
            public boolean has(String name) {
                return shapes.containsKey(name);
            }

            @Override
            public Tensor take(String name) {
                long[] shape = shapes.get(name);
                if (shape == null) throw new IllegalArgumentException("a Whisper of this config has no tensor '" + name + "'");
                Tensor t = Tensor.allocate(name, DType.F32, shape);
                t.copyFrom(values(name, shape, rng));
                return t;
            }
        };
    }

    private static float[] values(String name, long[] shape, TrainingRng rng) {
        long count = 1;
        for (long d : shape) count *= d;
        if (count > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(name + ": too large to initialise");
        float[] v = new float[(int) count];
        if (name.equals("encoder.positional_embedding")) return sinusoids((int) shape[0], (int) shape[1]);
        if (shape.length == 1) {
            if (name.endsWith(".weight")) java.util.Arrays.fill(v, 1f); // LayerNorm gains; biases stay 0
            return v;
        }
        for (int i = 0; i < v.length; i++) v[i] = (float) (INIT_STD * rng.nextGaussian());
        return v;
    }

    /**
     * Rescales the encoder's two stem convolutions from N(0, 0.02²) to He's N(0, 2/fan_in) (fan_in = in_channels × 3),
     * so that the audio path into the encoder is not drowned by the unit-amplitude positional embedding.
     */
    public static void heConvStem(WhisperModel model) {
        for (org.dqwhisper.nn.Parameter p : model.parameters()) {
            if (!p.name().equals("encoder.conv1.weight") && !p.name().equals("encoder.conv2.weight")) continue;
            long fanIn = p.value().numel() / p.value().dim(0); // in_channels x kernel width (stored [out, in*3] or [out, in, 3])
            org.dqwhisper.kernels.NnKernels.scaleInto(p.value(), (float) (Math.sqrt(2.0 / fanIn) / INIT_STD));
        }
        model.invalidatePackedWeights();
    }

    /** OpenAI's {@code sinusoids(length, channels)}: [sin(t·inv_timescales), cos(t·inv_timescales)]. */
    public static float[] sinusoids(int length, int channels) {
        if (channels % 2 != 0) throw new IllegalArgumentException("sinusoidal embedding needs an even width, got " + channels);
        int half = channels / 2;
        double increment = half > 1 ? Math.log(10000) / (half - 1) : 0;
        float[] out = new float[length * channels];
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < half; i++) {
                double angle = t * Math.exp(-increment * i);
                out[t * channels + i] = (float) Math.sin(angle);
                out[t * channels + half + i] = (float) Math.cos(angle);
            }
        }
        return out;
    }
}
