package org.dqwhisper.whisper;

import static org.dqwhisper.whisper.Fp64Whisper.addInto;
import static org.dqwhisper.whisper.Fp64Whisper.toDouble;
import static org.dqwhisper.whisper.TinyWhisper.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.Isa;
import org.dqwhisper.nn.Mlp;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The authors' unmasked hidden path ({@link WhisperModel#unmaskedDecoderFfn}) on a tiny 2-decoder-layer model
 * with a trained encoder: forward against an FP64 reference written from the authors' definition (each block's
 * causal-pass input x, {@code h1 = x + SelfAttn(LN(x))} unmasked, {@code h1 += CrossAttn(LN(h1), audio)},
 * {@code GELU(fc1(LN(h1)))}), and the backward against central finite differences of
 * {@code J = Σ_l ⟨w_l, act_l⟩ + ⟨w_z, logits⟩} for every parameter (the gradient reaches the earlier causal
 * block through x and the encoder through the audio). Tolerances: {@link GradientCheck} (forward 1e-4 of the
 * largest value, gradients 2e-4 of the sampled rms), the same FP32-sum reasoning.
 */
class UnmaskedFfnRecomputeTest {
    static final WhisperConfig CFG = WhisperConfig.of(12, 8, 32, 2, 1, 101, 16, 32, 2, 2);
    static final int B = 2;
    static final int T = 5;

    private record Setup(float[] mel, int[][] tokens, double[][] actWeights, double[] logitWeights) {}

    private static Setup setup(Random rnd) {
        int[][] tokens = new int[B][T];
        for (int[] row : tokens) for (int t = 0; t < T; t++) row[t] = rnd.nextInt(CFG.nVocab());
        int hidden = 4 * CFG.nTextState();
        double[][] w = new double[CFG.nTextLayer()][];
        for (int l = 0; l < w.length; l++) w[l] = toDouble(gaussian(rnd, B * T * hidden, 1));
        return new Setup(gaussian(rnd, B * CFG.nMels() * CFG.nMelFrames(), 1), tokens, w, toDouble(gaussian(rnd, B * T * CFG.nVocab(), 0.1)));
    }

    /** FP64: the unmasked FFN activations of every decoder layer [B·T, 4d] and (last entry) the causal logits [B·T, V]. */
    static double[][] reference(Fp64Whisper f, double[] mel, int[][] tokens) {
        int b = tokens.length, t = tokens[0].length, d = f.width;
        double[] audio = f.encoder(mel, b);
        double[] emb = f.get("decoder.token_embedding.weight"), pos = f.get("decoder.positional_embedding");
        double[] x = new double[b * t * d];
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < t; i++) {
                for (int c = 0; c < d; c++) x[(bi * t + i) * d + c] = emb[tokens[bi][i] * d + c] + pos[i * d + c];
            }
        }
        double[][] out = new double[f.textLayers + 1][];
        for (int l = 0; l < f.textLayers; l++) {
            String p = "decoder.blocks." + l;
            double[] h1 = x.clone();
            double[] h = f.layerNorm(p + ".attn_ln", x);
            addInto(h1, f.attention(p + ".attn", h, b, t, h, t, f.textHeads, false)); // no causal mask
            h = f.layerNorm(p + ".cross_attn_ln", h1);
            addInto(h1, f.attention(p + ".cross_attn", h, b, t, audio, f.audioCtx, f.textHeads, false));
            h = f.layerNorm(p + ".mlp_ln", h1);
            int hidden = f.get(p + ".mlp.0.bias").length;
            out[l] = Fp64Whisper.gelu(f.linear(p + ".mlp.0", h, b * t, hidden, d));
            x = f.block(p, x, b, t, audio, f.audioCtx); // the causal residual stream goes on
        }
        out[f.textLayers] = Fp64Whisper.linear(f.layerNorm("decoder.ln", x), b * t, emb, null, f.vocab, d);
        return out;
    }

    static double objective(Fp64Whisper f, Setup s, double[] mel) {
        double[][] r = reference(f, mel, s.tokens);
        double j = GradientCheck.dot(s.logitWeights, r[r.length - 1]);
        for (int l = 0; l < s.actWeights.length; l++) j += GradientCheck.dot(s.actWeights[l], r[l]);
        return j;
    }

    /** Native forward and backward of J; returns the unmasked activations per layer and the causal ones. */
    static float[][][] nativeBackward(WhisperModel m, Setup s) {
        int layers = CFG.nTextLayer();
        float[][][] acts = new float[2][layers][];
        try (Tensor mel = Tensor.of(s.mel, B, CFG.nMels(), CFG.nMelFrames());
                WhisperModel.TrainingPass pass = m.forwardTrain(mel, s.tokens);
                Tensor dLogits = Tensor.allocate(DType.F32, (long) B * T, CFG.nVocab())) {
            dLogits.copyFrom(toFloat(s.logitWeights));
            for (int l = 0; l < layers; l++) {
                Mlp.Activations a = m.unmaskedDecoderFfn(pass, l);
                assertTrue(a == m.unmaskedDecoderFfn(pass, l), "computed once per pass");
                acts[0][l] = a.activation().toFloatArray();
                acts[1][l] = pass.decoderFfn(l).activation().toFloatArray();
                try (Tensor w = Tensor.of(toFloat(s.actWeights[l]), a.activation().shape())) {
                    a.addActivationGrad(w);
                }
            }
            m.backward(pass, dLogits);
        }
        return acts;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    @Test
    void forwardMatchesReferenceAndBackwardMatchesFiniteDifferences() {
        try (WhisperModel m = TinyWhisper.build(CFG, 41)) {
            Map<String, double[]> ref = Fp64Whisper.copyOf(m);
            Fp64Whisper f = new Fp64Whisper(CFG, ref);
            Random rnd = new Random(41);
            Setup s = setup(rnd);
            double[] mel = toDouble(s.mel);
            float[][][] acts = nativeBackward(m, s);
            double[][] want = reference(f, mel, s.tokens);
            int hidden = 4 * CFG.nTextState();
            for (int l = 0; l < CFG.nTextLayer(); l++) {
                GradientCheck.forward("unmasked FFN activation of layer " + l, acts[0][l], want[l]);
                // the last position sees every token with or without the mask: there both paths agree (FP32 attention sums of
                // <= 5 keys in another order: 1e-5 of the largest value); earlier positions must differ (the mask is off)
                double differ = 0, max = 0;
                for (int bi = 0; bi < B; bi++) {
                    for (int i = 0; i < T; i++) {
                        for (int c = 0; c < hidden; c++) {
                            int k = (bi * T + i) * hidden + c;
                            max = Math.max(max, Math.abs(acts[1][l][k]));
                            if (i == T - 1) assertEquals(acts[1][l][k], acts[0][l][k], 1e-5 * Math.max(1, Math.abs(acts[1][l][k])));
                            else differ = Math.max(differ, Math.abs(acts[1][l][k] - acts[0][l][k]));
                        }
                    }
                }
                assertTrue(differ > 1e-3 * max, "layer " + l + ": unmasked activations equal the causal ones (" + differ + ")");
            }
            List<Parameter> ps = m.parameters();
            GradientCheck.parameters("unmasked recompute", ps, ref, () -> objective(f, s, mel), 8, rnd,
                    p -> p.name().equals("decoder.positional_embedding") ? T * CFG.nTextState() : (int) p.numel());
        }
    }

    /** The recompute and its backward are partitioned per row and head: bit-identical for 1, 2 and 3 threads and on every ISA. */
    @Test
    void gradientsAreBitIdenticalAcrossThreadCountsAndConsistentAcrossIsas() {
        Random rnd = new Random(42);
        Setup s = setup(rnd);
        List<float[]> first = null;
        int before = CpuRuntime.threads();
        for (int threads = 1; threads <= 3; threads++) {
            CpuRuntime.setThreads(threads);
            try (WhisperModel m = TinyWhisper.build(CFG, 42)) {
                nativeBackward(m, s);
                List<float[]> g = new ArrayList<>();
                for (Parameter p : m.parameters()) g.add(p.gradOrNull().toFloatArray());
                if (first == null) first = g;
                else for (int i = 0; i < g.size(); i++) assertArrayEquals(first.get(i), g.get(i), threads + " threads, tensor " + i);
            } finally {
                CpuRuntime.setThreads(before);
            }
        }
        // every dispatch path against the FP64 reference (the check above ran on the detected ISA)
        for (Isa isa : Isa.values()) {
            if (isa.compareTo(CpuRuntime.detectedIsa()) > 0) continue;
            CpuRuntime.forceIsa(isa);
            try (WhisperModel m = TinyWhisper.build(CFG, 43)) {
                Map<String, double[]> ref = Fp64Whisper.copyOf(m);
                Fp64Whisper f = new Fp64Whisper(CFG, ref);
                double[] mel = toDouble(s.mel);
                nativeBackward(m, s);
                GradientCheck.parameters("unmasked recompute on " + isa, m.parameters(), ref, () -> objective(f, s, mel), 3, new Random(43),
                        p -> p.name().equals("decoder.positional_embedding") ? T * CFG.nTextState() : (int) p.numel());
            } finally {
                CpuRuntime.forceIsa(null);
            }
        }
    }

    @Test
    void misuseIsRejected() {
        try (WhisperModel m = TinyWhisper.build(CFG, 44); WhisperModel other = TinyWhisper.build(TinyWhisper.config(), 45);
                Tensor mel = Tensor.allocate(DType.F32, 1, CFG.nMels(), CFG.nMelFrames())) {
            mel.fill(0f);
            WhisperModel.TrainingPass pass = m.forwardTrain(mel, new int[][] {{1, 2, 3}});
            assertThrows(IllegalArgumentException.class, () -> m.unmaskedDecoderFfn(pass, 2), "layer outside the decoder");
            assertThrows(IllegalArgumentException.class, () -> other.unmaskedDecoderFfn(pass, 0), "pass of another model");
            m.encoder().setRequiresGrad(false);
            try (WhisperModel.TrainingPass frozen = m.forwardTrain(mel, new int[][] {{1, 2, 3}})) {
                assertThrows(IllegalStateException.class, () -> frozen.encoderFfn(0), "a frozen encoder keeps no activations");
            }
            try (WhisperModel.TrainingPass kept = m.forwardTrain(mel, new int[][] {{1, 2, 3}}, true)) {
                assertEquals(CFG.nAudioCtx(), kept.encoderFfn(0).activation().dim(0), "kept on request");
                assertThrows(IllegalArgumentException.class, () -> kept.encoderFfn(1), "encoder layer outside");
            }
            pass.close();
            assertThrows(IllegalStateException.class, () -> m.unmaskedDecoderFfn(pass, 0), "closed pass");
        }
    }
}
