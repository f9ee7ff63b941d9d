package org.dqwhisper.whisper;

import static org.dqwhisper.whisper.Fp64Whisper.toDouble;
import static org.dqwhisper.whisper.GradientCheck.dot;
import static org.dqwhisper.whisper.TinyWhisper.gaussian;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A full encoder layer and a full decoder layer (LayerNorms, attention(s), MLP, residual stream):
 * training forward against the FP64 reference, backward against central finite differences of
 * L = Σ w·block(x) for random w, on every parameter, the input and (decoder) the audio features.
 * Tolerances: see {@link GradientCheck}.
 */
class BlockGradientTest {
    @AfterAll
    static void reportWorstError() {
        System.out.printf("gradient checks so far: worst |native - FD| / (rms + |FD|) = %.2e (tolerance %.0e)%n", GradientCheck.worstRatio(),
                GradientCheck.GRAD_TOL);
    }

    static final int B = 2;
    static final int D = 32;
    static final int SAMPLES = 20;

    @Test
    void encoderLayer() {
        WhisperConfig cfg = TinyWhisper.config();
        try (WhisperModel m = TinyWhisper.build(cfg, 21)) {
            Map<String, double[]> ref = Fp64Whisper.copyOf(m);
            Fp64Whisper f = new Fp64Whisper(cfg, ref);
            Random rnd = new Random(21);
            int t = 8;
            ResidualAttentionBlock block = m.encoder().blocks()[0];
            float[] xf = gaussian(rnd, B * t * D, 1);
            double[] x = toDouble(xf);
            double[] w = toDouble(gaussian(rnd, B * t * D, 1));
            DoubleSupplier loss = () -> dot(w, f.block("encoder.blocks.0", x, B, t, null, 0));
            try (Tensor xt = Tensor.of(xf, B, t, D); Tensor dx = Tensor.of(ModuleGradientTest.gaussianAsFloat(w), B, t, D)) {
                try (ResidualAttentionBlock.Activations a = block.forwardTrain(xt, null)) {
                    GradientCheck.forward("encoder layer", xt.toFloatArray(), f.block("encoder.blocks.0", x, B, t, null, 0));
                    block.backward(a, null, dx, null);
                }
                List<Parameter> ps = new ArrayList<>();
                block.collectParameters(ps);
                GradientCheck.parameters("encoder layer", ps, ref, loss, SAMPLES, rnd);
                GradientCheck.input("encoder layer dx", x, dx.toFloatArray(), loss, SAMPLES, rnd);
            }
        }
    }

    @Test
    void decoderLayer() {
        WhisperConfig cfg = TinyWhisper.config();
        try (WhisperModel m = TinyWhisper.build(cfg, 22)) {
            Map<String, double[]> ref = Fp64Whisper.copyOf(m);
            Fp64Whisper f = new Fp64Whisper(cfg, ref);
            Random rnd = new Random(22);
            int t = 6, ta = 8;
            ResidualAttentionBlock block = m.decoder().blocks()[0];
            float[] xf = gaussian(rnd, B * t * D, 1);
            float[] af = gaussian(rnd, B * ta * D, 1);
            double[] x = toDouble(xf);
            double[] audio = toDouble(af);
            double[] w = toDouble(gaussian(rnd, B * t * D, 1));
            DoubleSupplier loss = () -> dot(w, f.block("decoder.blocks.0", x, B, t, audio, ta));
            try (Tensor xt = Tensor.of(xf, B, t, D); Tensor at = Tensor.of(af, B, ta, D);
                    Tensor dx = Tensor.of(ModuleGradientTest.gaussianAsFloat(w), B, t, D); Tensor da = Tensor.allocate(DType.F32, B, ta, D)) {
                try (ResidualAttentionBlock.Activations a = block.forwardTrain(xt, at)) {
                    GradientCheck.forward("decoder layer", xt.toFloatArray(), f.block("decoder.blocks.0", x, B, t, audio, ta));
                    block.backward(a, at, dx, da);
                }
                List<Parameter> ps = new ArrayList<>();
                block.collectParameters(ps);
                GradientCheck.parameters("decoder layer", ps, ref, loss, SAMPLES, rnd);
                GradientCheck.input("decoder layer dx", x, dx.toFloatArray(), loss, SAMPLES, rnd);
                GradientCheck.input("decoder layer daudio", audio, da.toFloatArray(), loss, SAMPLES, rnd);
            }
        }
    }
}
