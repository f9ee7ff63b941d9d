package org.dqwhisper.whisper;

import static org.dqwhisper.whisper.Fp64Whisper.toDouble;
import static org.dqwhisper.whisper.GradientCheck.dot;
import static org.dqwhisper.whisper.TinyWhisper.gaussian;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dqwhisper.nn.Conv1d;
import org.dqwhisper.nn.LayerNorm;
import org.dqwhisper.nn.Linear;
import org.dqwhisper.nn.Mlp;
import org.dqwhisper.nn.MultiHeadAttention;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Each nn module's training forward against the FP64 reference, and its backward (parameter and
 * input gradients of L = Σ w·y for random w) against central finite differences of the reference.
 * Tolerances: see {@link GradientCheck}. Modules are taken from a tiny random Whisper (d = 32,
 * 2 heads, B = 2 sequences).
 */
class ModuleGradientTest {
    @AfterAll
    static void reportWorstError() {
        System.out.printf("gradient checks so far: worst |native - FD| / (rms + |FD|) = %.2e (tolerance %.0e)%n", GradientCheck.worstRatio(),
                GradientCheck.GRAD_TOL);
    }

    static final int B = 2;
    static final int T = 6;
    static final int D = 32;
    static final int SAMPLES = 24;

    private static List<Parameter> params(java.util.function.Consumer<List<Parameter>> collect) {
        List<Parameter> ps = new ArrayList<>();
        collect.accept(ps);
        return ps;
    }

    @Test
    void linearWithBias() {
        WhisperConfig cfg = TinyWhisper.config();
        try (WhisperModel m = TinyWhisper.build(cfg, 11)) {
            Map<String, double[]> ref = Fp64Whisper.copyOf(m);
            Random rnd = new Random(1);
            Linear fc1 = m.decoder().blocks()[0].mlp().fc1(); // 32 -> 128
            int rows = B * T, out = fc1.out();
            float[] xf = gaussian(rnd, rows * D, 1);
            double[] x = toDouble(xf);
            double[] w = toDouble(gaussian(rnd, rows * out, 1));
            String name = "decoder.blocks.0.mlp.0";
            try (Tensor xt = Tensor.of(xf, rows, D); Tensor y = Tensor.allocate(DType.F32, rows, out);
                    Tensor dy = Tensor.of(gaussianAsFloat(w), rows, out); Tensor dx = Tensor.allocate(DType.F32, rows, D)) {
                fc1.forward(xt, y, false, Precision.FP32);
                GradientCheck.forward("linear", y.toFloatArray(), Fp64Whisper.linear(x, rows, ref.get(name + ".weight"), ref.get(name + ".bias"), out, D));
                fc1.backward(xt, dy, dx, false);
                java.util.function.DoubleSupplier loss = () -> dot(w, Fp64Whisper.linear(x, rows, ref.get(name + ".weight"), ref.get(name + ".bias"), out, D));
                GradientCheck.parameters("linear", params(fc1::collectParameters), ref, loss, SAMPLES, rnd);
                GradientCheck.input("linear dx", x, dx.toFloatArray(), loss, SAMPLES, rnd);
            }
        }
    }

    @Test
    void layerNorm() {
        WhisperConfig cfg = TinyWhisper.config();
        try (WhisperModel m = TinyWhisper.build(cfg, 12)) {
            Map<String, double[]> ref = Fp64Whisper.copyOf(m);
            Random rnd = new Random(2);
            LayerNorm ln = m.decoder().ln;
            int rows = B * T;
            float[] xf = gaussian(rnd, rows * D, 2);
            for (int i = 0; i < xf.length; i++) xf[i] += 0.5f; // a non-zero mean per row
            double[] x = toDouble(xf);
            double[] w = toDouble(gaussian(rnd, rows * D, 1));
            try (Tensor xt = Tensor.of(xf, B, T, D); Tensor y = Tensor.allocate(DType.F32, B, T, D);
                    Tensor dy = Tensor.of(gaussianAsFloat(w), B, T, D); Tensor dx = Tensor.allocate(DType.F32, B, T, D)) {
                try (LayerNorm.Stats s = ln.forwardTrain(xt, y)) {
                    GradientCheck.forward("layernorm", y.toFloatArray(), Fp64Whisper.layerNorm(x, rows, D, ref.get("decoder.ln.weight"),
                            ref.get("decoder.ln.bias")));
                    ln.backward(xt, s, dy, dx);
                }
                java.util.function.DoubleSupplier loss = () -> dot(w, Fp64Whisper.layerNorm(x, rows, D, ref.get("decoder.ln.weight"),
                        ref.get("decoder.ln.bias")));
                GradientCheck.parameters("layernorm", params(ln::collectParameters), ref, loss, SAMPLES, rnd);
                GradientCheck.input("layernorm dx", x, dx.toFloatArray(), loss, SAMPLES, rnd);
            }
        }
    }

    @Test
    void mlp() {
        WhisperConfig cfg = TinyWhisper.config();
        try (WhisperModel m = TinyWhisper.build(cfg, 13)) {
            Map<String, double[]> ref = Fp64Whisper.copyOf(m);
            Fp64Whisper f = new Fp64Whisper(cfg, ref);
            Random rnd = new Random(3);
            Mlp mlp = m.encoder().blocks()[0].mlp();
            int rows = B * T;
            float[] hf = gaussian(rnd, rows * D, 1);
            double[] h = toDouble(hf);
            double[] w = toDouble(gaussian(rnd, rows * D, 1));
            try (Tensor ht = Tensor.of(hf, B, T, D); Tensor y = Tensor.allocate(DType.F32, B, T, D);
                    Tensor dy = Tensor.of(gaussianAsFloat(w), B, T, D); Tensor dh = Tensor.allocate(DType.F32, B, T, D)) {
                try (Mlp.Activations a = mlp.forwardTrain(ht, y)) {
                    GradientCheck.forward("mlp", y.toFloatArray(), f.mlp("encoder.blocks.0.mlp", h, rows));
                    mlp.backward(a, ht, dy, dh);
                }
                java.util.function.DoubleSupplier loss = () -> dot(w, f.mlp("encoder.blocks.0.mlp", h, rows));
                GradientCheck.parameters("mlp", params(mlp::collectParameters), ref, loss, SAMPLES, rnd);
                GradientCheck.input("mlp dh", h, dh.toFloatArray(), loss, SAMPLES, rnd);
            }
        }
    }

    @Test
    void causalSelfAttention() {
        checkAttention(true, false);
    }

    @Test
    void unmaskedSelfAttention() {
        checkAttention(false, false);
    }

    @Test
    void crossAttention() {
        checkAttention(false, true);
    }

    /** Decoder self-attention (causal), encoder self-attention (no mask) or cross-attention (src = other sequences of 8). */
    private static void checkAttention(boolean causal, boolean cross) {
        WhisperConfig cfg = TinyWhisper.config();
        try (WhisperModel m = TinyWhisper.build(cfg, 14)) {
            Map<String, double[]> ref = Fp64Whisper.copyOf(m);
            Fp64Whisper f = new Fp64Whisper(cfg, ref);
            Random rnd = new Random(causal ? 4 : cross ? 5 : 6);
            String prefix = cross ? "decoder.blocks.0.cross_attn" : causal ? "decoder.blocks.0.attn" : "encoder.blocks.0.attn";
            MultiHeadAttention attn = cross ? m.decoder().blocks()[0].crossAttention()
                    : causal ? m.decoder().blocks()[0].attention() : m.encoder().blocks()[0].attention();
            int tk = cross ? 8 : T;
            float[] hf = gaussian(rnd, B * T * D, 1);
            float[] sf = cross ? gaussian(rnd, B * tk * D, 1) : hf;
            double[] h = toDouble(hf);
            double[] src = cross ? toDouble(sf) : h;
            double[] w = toDouble(gaussian(rnd, B * T * D, 1));
            java.util.function.DoubleSupplier loss = () -> dot(w, f.attention(prefix, h, B, T, src, tk, 2, causal));
            try (Tensor ht = Tensor.of(hf, B, T, D); Tensor st = cross ? Tensor.of(sf, B, tk, D) : null;
                    Tensor y = Tensor.allocate(DType.F32, B, T, D); Tensor dy = Tensor.of(gaussianAsFloat(w), B, T, D);
                    Tensor dh = Tensor.allocate(DType.F32, B, T, D); Tensor ds = cross ? Tensor.allocate(DType.F32, B, tk, D) : null) {
                Tensor s = cross ? st : ht;
                try (MultiHeadAttention.Activations a = attn.forwardTrain(ht, s, causal, y)) {
                    GradientCheck.forward(prefix, y.toFloatArray(), f.attention(prefix, h, B, T, src, tk, 2, causal));
                    attn.backward(a, ht, s, causal, dy, dh, cross ? ds : dh);
                }
                GradientCheck.parameters(prefix, params(attn::collectParameters), ref, loss, SAMPLES, rnd);
                GradientCheck.input(prefix + " dh", h, dh.toFloatArray(), loss, SAMPLES, rnd);
                if (cross) GradientCheck.input(prefix + " dsrc", src, ds.toFloatArray(), loss, SAMPLES, rnd);
            }
        }
    }

    @Test
    void convolutionStrideOne() {
        checkConv(true);
    }

    @Test
    void convolutionStrideTwo() {
        checkConv(false);
    }

    /** conv1 (12 → 32 channels, stride 1) or conv2 (32 → 32, stride 2), each with GELU, on 16 time-major frames. */
    private static void checkConv(boolean first) {
        WhisperConfig cfg = TinyWhisper.config();
        try (WhisperModel m = TinyWhisper.build(cfg, 15)) {
            Map<String, double[]> ref = Fp64Whisper.copyOf(m);
            Random rnd = new Random(first ? 7 : 8);
            Conv1d conv = first ? m.encoder().conv1 : m.encoder().conv2;
            String name = conv.name();
            int frames = 16, cin = conv.inChannels(), tout = (int) conv.outputLength(frames);
            float[] xf = gaussian(rnd, B * frames * cin, 1);
            double[] x = toDouble(xf);
            double[] w = toDouble(gaussian(rnd, B * tout * D, 1));
            java.util.function.DoubleSupplier loss = () -> dot(w, conv(ref, name, x, frames, cin, first ? 1 : 2));
            try (Tensor xt = Tensor.of(xf, B, frames, cin); Tensor y = Tensor.allocate(DType.F32, B, tout, D);
                    Tensor dy = Tensor.of(gaussianAsFloat(w), B, tout, D); Tensor dx = Tensor.allocate(DType.F32, B, frames, cin)) {
                try (Conv1d.Activations a = conv.forwardTrain(xt, y)) {
                    GradientCheck.forward(name, y.toFloatArray(), conv(ref, name, x, frames, cin, first ? 1 : 2));
                    conv.backward(a, dy, dx);
                }
                GradientCheck.parameters(name, params(conv::collectParameters), ref, loss, SAMPLES, rnd);
                GradientCheck.input(name + " dx", x, dx.toFloatArray(), loss, SAMPLES, rnd);
            }
            // inference forward (fused GELU epilogue) agrees with the training forward
            try (Tensor xt = Tensor.of(xf, B, frames, cin); Tensor y = Tensor.allocate(DType.F32, B, tout, D)) {
                conv.forward(xt, y, org.dqwhisper.nn.Precision.FP32);
                GradientCheck.forward(name + " inference", y.toFloatArray(), conv(ref, name, x, frames, cin, first ? 1 : 2));
            }
        }
    }

    private static double[] conv(Map<String, double[]> ref, String name, double[] x, int frames, int cin, int stride) {
        int tout = (frames + 2 - 3) / stride + 1;
        double[] out = new double[B * tout * D];
        for (int b = 0; b < B; b++) {
            double[] xb = java.util.Arrays.copyOfRange(x, b * frames * cin, (b + 1) * frames * cin);
            double[] y = Fp64Whisper.gelu(Fp64Whisper.conv1d(xb, frames, cin, ref.get(name + ".weight"), ref.get(name + ".bias"), D, 3, stride, 1));
            System.arraycopy(y, 0, out, b * tout * D, y.length);
        }
        return out;
    }

    static float[] gaussianAsFloat(double[] w) {
        float[] f = new float[w.length];
        for (int i = 0; i < w.length; i++) f[i] = (float) w[i];
        return f;
    }
}
