package org.dqwhisper.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    static final WhisperConfig CFG = SyntheticBatches.config();

    static TrainerOptions options(long steps, int accum) {
        return new TrainerOptions(steps, 3e-3, 2, LearningRateSchedule.Decay.COSINE, 0.05, 0.5, accum, 0.1, 99, 0.9, 0.999, 1e-8);
    }

    /** Adds the run's RNG to the mel: a resumed run must restore the generator to reproduce it. */
    static final BatchTransform NOISE = (batch, rng) -> {
        float[] m = batch.mel().toFloatArray();
        for (int i = 0; i < m.length; i += 7) m[i] += (float) rng.nextGaussian();
        batch.mel().copyFrom(m);
        return batch;
    };

    static Map<String, float[]> weights(WhisperModel m) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        m.stateTensors().forEach((k, t) -> out.put(k, t.toFloatArray()));
        return out;
    }

    static void assertBitIdentical(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            float[] x = a.get(k), y = b.get(k);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), k + "[" + i + "]: " + x[i] + " vs " + y[i]);
            }
        }
    }

    @Test
    void runsAreDeterministic() {
        Map<String, float[]> first = null;
        for (int run = 0; run < 2; run++) {
            try (WhisperModel m = WhisperInit.random(CFG, 1); Trainer t = new Trainer(m, new SyntheticBatches(CFG, 5, 7, 2, 3), options(10, 2))) {
                t.setBatchTransform(NOISE);
                for (int i = 0; i < 3; i++) t.step();
                Map<String, float[]> w = weights(m);
                if (first == null) first = w;
                else assertBitIdentical(first, w);
            }
        }
    }

    @Test
    void updatesAreBitIdenticalForOneTwoAndThreeThreads() {
        int saved = org.dqwhisper.kernels.CpuRuntime.threads();
        Map<String, float[]> first = null;
        try {
            for (int threads = 1; threads <= 3; threads++) {
                org.dqwhisper.kernels.CpuRuntime.setThreads(threads);
                try (WhisperModel m = WhisperInit.random(CFG, 4); Trainer t = new Trainer(m, new SyntheticBatches(CFG, 4, 7, 2, 5), options(10, 1))) {
                    for (int i = 0; i < 2; i++) t.step();
                    Map<String, float[]> w = weights(m);
                    if (first == null) first = w;
                    else assertBitIdentical(first, w);
                }
            }
        } finally {
            org.dqwhisper.kernels.CpuRuntime.setThreads(saved);
        }
    }

    @Test
    void resumingFromACheckpointIsBitIdentical(@TempDir Path dir) throws Exception {
        TrainerOptions opts = options(6, 2);
        Map<String, float[]> uninterrupted;
        Map<String, float[]> uninterruptedMoments = new java.util.HashMap<>();
        try (WhisperModel m = WhisperInit.random(CFG, 2); Trainer t = new Trainer(m, new SyntheticBatches(CFG, 5, 7, 2, 4), opts)) {
            t.setBatchTransform(NOISE);
            while (!t.finished()) t.step();
            uninterrupted = weights(m);
            t.optimizer().moments().forEach((k, mv) -> uninterruptedMoments.put(k, mv[1].toFloatArray()));
        }
        Path ck;
        try (WhisperModel m = WhisperInit.random(CFG, 2); Trainer t = new Trainer(m, new SyntheticBatches(CFG, 5, 7, 2, 4), opts)) {
            t.setBatchTransform(NOISE);
            for (int i = 0; i < 3; i++) t.step();
            ck = TrainingCheckpoint.save(dir, t, null);
        }
        try (WhisperModel m = WhisperModel.load(ck, Precision.FP32); Trainer t = new Trainer(m, new SyntheticBatches(CFG, 5, 7, 2, 4), opts)) {
            t.setBatchTransform(NOISE);
            TrainingCheckpoint.restore(ck, t);
            assertEquals(3, t.stepsDone());
            assertEquals(6, t.source().position(), "3 updates x 2 accumulated micro-batches");
            while (!t.finished()) t.step();
            assertEquals(6, t.stepsDone());
            assertBitIdentical(uninterrupted, weights(m));
            Map<String, float[]> moments = new java.util.HashMap<>();
            t.optimizer().moments().forEach((k, mv) -> moments.put(k, mv[1].toFloatArray()));
            assertBitIdentical(uninterruptedMoments, moments);
        }
    }

    @Test
    void accumulationEqualsOneLargerBatch() {
        // two micro-batches of 1 utterance vs one batch of the same 2 utterances (equal target counts):
        // the mean losses and the gradients agree up to the FP32 summation order
        List<float[]> grads = new ArrayList<>();
        double[] losses = new double[2];
        for (int run = 0; run < 2; run++) {
            int accum = run == 0 ? 2 : 1;
            try (WhisperModel m = WhisperInit.random(CFG, 5); Trainer t = new Trainer(m, new SyntheticBatches(CFG, 2, 6, 3 - accum, 6),
                    options(10, accum))) {
                losses[run] = t.accumulateGradients().loss();
                for (Parameter p : m.parameters()) grads.add(p.gradOrNull().toFloatArray());
            }
        }
        assertEquals(losses[0], losses[1], 1e-5 * losses[0]);
        int n = grads.size() / 2;
        for (int k = 0; k < n; k++) {
            float[] a = grads.get(k), b = grads.get(n + k);
            double max = 0;
            for (float v : a) max = Math.max(max, Math.abs(v));
            // sums of a few hundred FP32 terms in another order: ~1e-6 of the tensor's scale
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-4 * max + 1e-12, "tensor " + k + "[" + i + "]");
        }
    }

    @Test
    void lossFallsOnAFixedBatchAndAFrozenEncoderStaysPut() {
        try (WhisperModel m = WhisperInit.random(CFG, 7)) {
            m.encoder().setRequiresGrad(false);
            float[] encBefore = m.stateTensors().get("encoder.blocks.0.attn.query.weight").toFloatArray();
            float[] decBefore = m.stateTensors().get("decoder.blocks.0.attn.query.weight").toFloatArray();
            TrainerOptions opts = new TrainerOptions(40, 1e-2, 0, LearningRateSchedule.Decay.CONSTANT, 0, 1.0, 1, 0, 1, 0.9, 0.999, 1e-8);
            try (Trainer t = new Trainer(m, new SyntheticBatches(CFG, 2, 6, 2, 8), opts)) {
                double first = t.step().loss();
                StepResult last = null;
                while (!t.finished()) last = t.step();
                assertTrue(last.loss() < 0.3 * first, "memorising 2 sequences: loss " + first + " -> " + last.loss());
                assertEquals(40, last.step());
                assertEquals(2, last.samples());
                assertEquals(10, last.targetTokens());
            }
            assertArrayEquals(encBefore, m.stateTensors().get("encoder.blocks.0.attn.query.weight").toFloatArray(), "frozen encoder");
            assertFalse(java.util.Arrays.equals(decBefore, m.stateTensors().get("decoder.blocks.0.attn.query.weight").toFloatArray()));
        }
    }

    @Test
    void misuse() {
        try (WhisperModel m = WhisperInit.random(CFG, 9)) {
            m.encoder().setRequiresGrad(false);
            m.decoder().setRequiresGrad(false);
            assertThrows(IllegalArgumentException.class, () -> new Trainer(m, new SyntheticBatches(CFG, 2, 6, 2, 8), options(5, 1)));
        }
        assertThrows(IllegalArgumentException.class, () -> options(0, 1));
        assertThrows(IllegalArgumentException.class, () -> options(5, 0));
        assertThrows(IllegalArgumentException.class, () -> TrainerOptions.defaults(10).withRegularisation(0, 1, 1.0));
        try (Tensor mel = Tensor.allocate(org.dqwhisper.tensor.DType.F32, 1, 8, 16)) {
            assertThrows(IllegalArgumentException.class, () -> new TrainingBatch(mel, new int[][] {{1, 2}}, new int[][] {{1}}));
            assertThrows(IllegalArgumentException.class, () -> new TrainingBatch(mel, new int[][] {{1}, {2}}, new int[][] {{1}, {2}}));
        }
        // a batch whose targets are all ignored cannot give a mean loss
        try (WhisperModel m = WhisperInit.random(CFG, 9); Trainer t = new Trainer(m, new BatchSource() {
            @Override
            public TrainingBatch next() {
                return new TrainingBatch(Tensor.allocate(org.dqwhisper.tensor.DType.F32, 1, 8, 16), new int[][] {{1, 2}},
                        new int[][] {{-100, -100}});
            }

            @Override
            public long position() {
                return 0;
            }

            @Override
            public void seek(long position) {}
        }, options(5, 1))) {
            assertThrows(IllegalArgumentException.class, t::step);
        }
        assertNotNull(NnKernels.class);
    }
}
