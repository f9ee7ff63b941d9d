package org.dqwhisper.whisper;

import static org.dqwhisper.whisper.Fp64Whisper.toDouble;
import static org.dqwhisper.whisper.TinyWhisper.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The whole tiny model (conv stem, 1 encoder + 1 decoder layer, embeddings, tied logits over 101
 * tokens) under the label-smoothed cross-entropy with ignored positions, against the FP64 reference
 * and central finite differences. Tolerances: see {@link GradientCheck}.
 */
class WhisperGradientTest {
    @AfterAll
    static void reportWorstError() {
        System.out.printf("gradient checks so far: worst |native - FD| / (rms + |FD|) = %.2e (tolerance %.0e)%n", GradientCheck.worstRatio(),
                GradientCheck.GRAD_TOL);
    }

    static final int B = 2;
    static final int T = 6;
    static final float LABEL_SMOOTHING = 0.1f;

    /** Inputs, targets (two positions ignored) and mel for a batch of 2. */
    private record Batch(float[] mel, int[][] inputs, int[] targets) {}

    private static Batch batch(WhisperConfig cfg, Random rnd) {
        int[][] inputs = new int[B][T];
        int[] targets = new int[B * T];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                inputs[b][t] = rnd.nextInt(cfg.nVocab());
                targets[b * T + t] = rnd.nextInt(cfg.nVocab());
            }
        }
        targets[T - 1] = -100; // padding at the end of sequence 0
        targets[T - 2] = -100;
        return new Batch(gaussian(rnd, B * cfg.nMels() * cfg.nMelFrames(), 1), inputs, targets);
    }

    /** Native loss; leaves the gradients in the parameters. */
    private static double nativeLossAndBackward(WhisperModel m, Batch batch, float[][] logitsOut) {
        int kept = 0;
        for (int t : batch.targets) if (t != -100) kept++;
        WhisperConfig cfg = m.config();
        try (Tensor mel = Tensor.of(batch.mel, B, cfg.nMels(), cfg.nMelFrames());
                WhisperModel.TrainingPass pass = m.forwardTrain(mel, batch.inputs);
                Tensor targets = Tensor.of(batch.targets, B * T);
                Tensor losses = Tensor.allocate(DType.F32, B * T)) {
            logitsOut[0] = pass.logits().toFloatArray();
            NnKernels.crossEntropy(pass.logits(), targets, -100, LABEL_SMOOTHING, losses, pass.logits(), 1f / kept);
            m.backward(pass, pass.logits());
            double sum = 0;
            for (float l : losses.toFloatArray()) sum += l;
            return sum / kept;
        }
    }

    @Test
    void wholeModelMatchesFiniteDifferences() {
        WhisperConfig cfg = TinyWhisper.config();
        try (WhisperModel m = TinyWhisper.build(cfg, 31)) {
            Map<String, double[]> ref = Fp64Whisper.copyOf(m);
            Fp64Whisper f = new Fp64Whisper(cfg, ref);
            Random rnd = new Random(31);
            Batch batch = batch(cfg, rnd);
            double[] mel = toDouble(batch.mel);
            float[][] logits = new float[1][];
            double loss = nativeLossAndBackward(m, batch, logits);
            double[] refLogits = f.decoderLogits(batch.inputs, f.encoder(mel, B), cfg.nAudioCtx());
            GradientCheck.forward("logits", logits[0], refLogits);
            double refLoss = f.loss(mel, batch.inputs, batch.targets, LABEL_SMOOTHING);
            assertEquals(refLoss, loss, 1e-5 * refLoss, "mean cross-entropy (FP32 sums of 10 rows of 101 terms)");
            DoubleSupplier objective = () -> f.loss(mel, batch.inputs, batch.targets, LABEL_SMOOTHING);
            List<Parameter> ps = m.parameters();
            assertEquals(WhisperModelParameterCount.expected(cfg), ps.size(), "parameter tensors");
            // the decoder's positional embedding only has gradients in the first T rows
            GradientCheck.parameters("tiny whisper", ps, ref, objective, 12, rnd,
                    p -> p.name().equals("decoder.positional_embedding") ? T * cfg.nTextState() : (int) p.numel());
            Parameter pos = ps.stream().filter(p -> p.name().equals("decoder.positional_embedding")).findFirst().orElseThrow();
            float[] g = pos.gradOrNull().toFloatArray();
            for (int i = T * cfg.nTextState(); i < g.length; i++) assertEquals(0f, g[i], "positions beyond T get no gradient");
        }
    }

    @Test
    void frozenEncoderKeepsNoEncoderGradientsAndTheDecoderGradientsStayRight() {
        WhisperConfig cfg = TinyWhisper.config();
        try (WhisperModel m = TinyWhisper.build(cfg, 32)) {
            m.encoder().setRequiresGrad(false);
            assertTrue(!m.encoder().requiresGrad());
            Map<String, double[]> ref = Fp64Whisper.copyOf(m);
            Fp64Whisper f = new Fp64Whisper(cfg, ref);
            Random rnd = new Random(32);
            Batch batch = batch(cfg, rnd);
            double[] mel = toDouble(batch.mel);
            nativeLossAndBackward(m, batch, new float[1][]);
            List<Parameter> enc = new ArrayList<>();
            m.encoder().collectParameters(enc);
            for (Parameter p : enc) assertNull(p.gradOrNull(), p.name() + " is frozen and must have no gradient");
            List<Parameter> dec = new ArrayList<>();
            m.decoder().collectParameters(dec);
            GradientCheck.parameters("tiny whisper, frozen encoder", dec, ref, () -> f.loss(mel, batch.inputs, batch.targets, LABEL_SMOOTHING),
                    8, rnd, p -> p.name().equals("decoder.positional_embedding") ? T * cfg.nTextState() : (int) p.numel());
            assertThrows(IllegalStateException.class, () -> enc.get(0).grad(), "a frozen parameter refuses a gradient");
        }
    }

    @Test
    void gradientsAccumulateOverBackwardCalls() {
        WhisperConfig cfg = TinyWhisper.config();
        try (WhisperModel m = TinyWhisper.build(cfg, 33)) {
            Batch batch = batch(cfg, new Random(33));
            nativeLossAndBackward(m, batch, new float[1][]);
            Map<String, float[]> once = new java.util.HashMap<>();
            for (Parameter p : m.parameters()) once.put(p.name(), p.gradOrNull().toFloatArray());
            nativeLossAndBackward(m, batch, new float[1][]);
            for (Parameter p : m.parameters()) {
                float[] a = once.get(p.name());
                float[] b = p.gradOrNull().toFloatArray();
                // same batch twice: twice the first gradient (an overwrite would give 1x). The GEMMs add each
                // product into the running value, so the order of FP32 additions differs from 2·(first
                // sum): allow 1e-4 of the tensor's largest gradient (FP32 sums of <= 200 terms: ~1e-6)
                double max = 0;
                for (float v : a) max = Math.max(max, Math.abs(v));
                for (int i = 0; i < a.length; i++) assertEquals(2 * a[i], b[i], 2e-4 * max, p.name() + "[" + i + "]");
                p.zeroGrad();
            }
        }
    }

    @Test
    void misuseIsRejected() {
        WhisperConfig cfg = TinyWhisper.config();
        try (WhisperModel m = TinyWhisper.build(cfg, 34); Tensor mel = Tensor.allocate(DType.F32, 2, cfg.nMels(), cfg.nMelFrames());
                Tensor wrongMel = Tensor.allocate(DType.F32, 2, cfg.nMels(), 10)) {
            assertThrows(IllegalArgumentException.class, () -> m.forwardTrain(mel, new int[][] {{1, 2}, {3}}), "ragged rows");
            assertThrows(IllegalArgumentException.class, () -> m.forwardTrain(mel, new int[][] {{1, 2}, {3, 101}}), "token outside vocabulary");
            assertThrows(IllegalArgumentException.class, () -> m.forwardTrain(mel, new int[][] {{1, 2}}), "batch size mismatch");
            assertThrows(IllegalArgumentException.class, () -> m.forwardTrain(wrongMel, new int[][] {{1}, {2}}), "frames");
            assertThrows(IllegalArgumentException.class, () -> m.forwardTrain(mel, new int[][] {new int[17], new int[17]}), "n_text_ctx");
            WhisperModel.TrainingPass pass = m.forwardTrain(mel, new int[][] {{1, 2}, {3, 4}});
            try (Tensor wrong = Tensor.allocate(DType.F32, 3, cfg.nVocab())) {
                assertThrows(IllegalArgumentException.class, () -> m.backward(pass, wrong), "dlogits shape");
            }
            try (Tensor d = Tensor.allocate(DType.F32, 4, cfg.nVocab())) {
                m.backward(pass, d);
                assertThrows(IllegalStateException.class, () -> m.backward(pass, d), "a pass is used once");
            }
            pass.close();
        }
    }
}
