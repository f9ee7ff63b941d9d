package org.dqwhisper.distill;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.dqwhisper.distill.DynamicLayerMatcher.Mode;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.train.TrainingBatch;
import org.dqwhisper.train.WhisperInit;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.junit.jupiter.api.Test;

/**
 * A short distillation on a synthetic task: the labels are a fixed random teacher's argmax tokens
 * (teacher forcing on random token prefixes and random mels); a smaller, randomly initialised student
 * learns from few utterances. The dev metric is the student's agreement with the teacher's argmax on
 * unseen utterances is printed; the asserted metric is the mean KL(teacher ‖ student) per dev token
 * (how closely the student reproduces the teacher on unseen data). Distillation (dynamic matching,
 * α = 0.9, FP and w8 QAD) must beat CE-only training from the same start by a clear margin (≤ 80% of its
 * divergence) for every seed. Measured: CE-only 2.03 / 2.66 / 2.79, distilled 0.22 / 0.29 / 0.19.
 */
class DistillerTest {
    static final WhisperConfig TEACHER = WhisperConfig.of(8, 8, 32, 2, 1, 61, 12, 32, 2, 4);
    static final WhisperConfig STUDENT = WhisperConfig.of(8, 8, 32, 2, 1, 61, 12, 32, 2, 2);
    static final int LEN = 10;
    static final int STEPS = 60;
    static final double LR = 3e-3;

    static final float SCALE = 10f;

    /** A teacher whose logits are not flat and depend on context: matrices scaled up from the 0.02 init. */
    static WhisperModel teacher(long seed) {
        WhisperModel t = WhisperInit.random(TEACHER, seed);
        for (Parameter p : t.parameters()) {
            if (p.name().equals("decoder.token_embedding.weight")) NnKernels.scaleInto(p.value(), SCALE);
            else if (p.name().startsWith("decoder.blocks") && p.value().rank() == 2) NnKernels.scaleInto(p.value(), SCALE);
        }
        t.invalidatePackedWeights();
        return t;
    }

    /** {@code items} utterances labelled with the teacher's argmax, as one batch. */
    static TrainingBatch data(WhisperModel teacher, int items, long seed) {
        Random r = new Random(seed);
        Tensor mel = Tensor.allocate(DType.F32, items, TEACHER.nMels(), TEACHER.nMelFrames());
        float[] m = new float[(int) mel.numel()];
        for (int i = 0; i < m.length; i++) m[i] = (float) r.nextGaussian();
        mel.copyFrom(m);
        int[][] in = new int[items][LEN];
        for (int[] row : in) for (int j = 0; j < LEN; j++) row[j] = r.nextInt(TEACHER.nVocab());
        int[][] tg = new int[items][LEN];
        try (WhisperModel.TrainingPass pass = teacher.forwardTrain(mel, in)) {
            float[] logits = pass.logits().toFloatArray();
            int v = TEACHER.nVocab();
            for (int i = 0; i < items; i++) for (int j = 0; j < LEN; j++) tg[i][j] = argmax(logits, i * LEN + j, v);
        }
        return new TrainingBatch(mel, in, tg);
    }

    static int argmax(float[] v, int row, int cols) {
        int best = 0;
        for (int j = 1; j < cols; j++) if (v[row * cols + j] > v[row * cols + best]) best = j;
        return best;
    }

    static double agreement(WhisperModel student, TrainingBatch dev) {
        try (WhisperModel.TrainingPass pass = student.forwardTrain(dev.mel(), dev.decoderInputs())) {
            float[] logits = pass.logits().toFloatArray();
            int v = STUDENT.nVocab(), same = 0, n = 0;
            for (int i = 0; i < dev.size(); i++) {
                for (int j = 0; j < LEN; j++, n++) if (argmax(logits, i * LEN + j, v) == dev.targets()[i][j]) same++;
            }
            return (double) same / n;
        }
    }

    /** Mean KL(teacher ‖ student) per dev token: how closely the student reproduces the teacher on unseen data. */
    static double devKl(WhisperModel teacher, WhisperModel student, TrainingBatch dev) {
        try (WhisperModel.TrainingPass s = student.forwardTrain(dev.mel(), dev.decoderInputs());
                WhisperModel.TrainingPass t = teacher.forwardTrain(dev.mel(), dev.decoderInputs())) {
            return DistillationLosses.klSum(s.logits(), t.logits(), 1f, null, 0f, null) / (dev.size() * LEN);
        }
    }

    /** Dev KL after training a fresh student (seed) under {@code mode}. */
    static double train(WhisperModel teacher, TrainingBatch train, TrainingBatch dev, Mode mode, QuantConfig quant, long seed) {
        try (WhisperModel student = WhisperInit.random(STUDENT, seed + 100);
                Distiller d = new Distiller(teacher, student, Distiller.Options.paper().withMode(mode).withQuant(quant))) {
            for (int step = 0; step < STEPS; step++) {
                Distiller.StepResult r = d.step(train, LR);
                assertTrue(Double.isFinite(r.terms().total()), "finite loss at step " + step);
                if (mode.usesHiddenLoss()) assertEquals(STUDENT.nTextLayer(), r.mapping().length);
            }
            if (mode.usesHiddenLoss()) assertEquals(STEPS, d.matchingLog().steps());
            double a = agreement(student, dev), ce = d.evaluate(dev), kl = devKl(teacher, student, dev);
            System.out.printf("  %s %s: dev agreement %.3f, dev CE %.3f, dev KL %.4f%n", mode, quant, a, ce, kl);
            return kl;
        }
    }

    @Test
    void distillationBeatsCrossEntropyAloneOverSeeds() {
        for (long seed = 1; seed <= 3; seed++) {
            try (WhisperModel teacher = teacher(seed); TrainingBatch train = data(teacher, 8, seed * 10); TrainingBatch dev = data(teacher, 24, seed * 10 + 1)) {
                double ce = train(teacher, train, dev, Mode.NONE, QuantConfig.NONE, seed);
                double kd = train(teacher, train, dev, Mode.DYNAMIC, QuantConfig.NONE, seed);
                double qad = train(teacher, train, dev, Mode.DYNAMIC, QuantConfig.parse("w8"), seed);
                double lg = train(teacher, train, dev, Mode.LOGITS, QuantConfig.NONE, seed);
                System.out.printf("seed %d: dev KL(teacher||student) CE-only %.4f, distilled %.4f, distilled+w8 QAD %.4f, logits-only %.4f%n",
                        seed, ce, kd, qad, lg);
                // a clear margin: distillation at most 80% of the CE-only student's divergence from the teacher
                assertTrue(kd <= 0.8 * ce, "seed " + seed + ": distilled dev KL " + kd + " vs CE-only " + ce);
                assertTrue(qad <= 0.8 * ce, "seed " + seed + ": QAD dev KL " + qad + " vs CE-only " + ce);
            }
        }
    }

    /**
     * Training on cached (frozen) encoder outputs is the same computation as training on the mel: same loss
     * terms, same mapping and bit-identical weights after three steps (the encoder forward is deterministic).
     */
    @Test
    void stepOnCachedEncoderOutputsMatchesStepOnMel() {
        try (WhisperModel t = teacher(5); TrainingBatch batch = data(t, 3, 6);
                WhisperModel a = WhisperInit.random(STUDENT, 7); WhisperModel b = WhisperInit.random(STUDENT, 7);
                Distiller da = new Distiller(t, a, Distiller.Options.paper());
                Distiller db = new Distiller(t, b, Distiller.Options.paper());
                Tensor sAudio = b.encoder().forward(batch.mel(), org.dqwhisper.nn.Precision.FP32);
                Tensor tAudio = t.encoder().forward(batch.mel(), org.dqwhisper.nn.Precision.FP32)) {
            for (int step = 0; step < 3; step++) {
                Distiller.StepResult ra = da.step(batch, LR);
                Distiller.StepResult rb = db.step(sAudio, tAudio, batch.decoderInputs(), batch.targets(), LR);
                assertEquals(ra.terms().total(), rb.terms().total(), 0.0, "loss at step " + step);
                assertArrayEquals(ra.mapping(), rb.mapping());
            }
            for (int i = 0; i < a.parameters().size(); i++) {
                assertArrayEquals(a.parameters().get(i).value().toFloatArray(), b.parameters().get(i).value().toFloatArray(),
                        a.parameters().get(i).name());
            }
            assertEquals(da.evaluate(batch), db.evaluate(sAudio, batch.decoderInputs(), batch.targets()), 0.0);
            Tensor wrong = Tensor.allocate(DType.F32, 2, STUDENT.nAudioCtx(), STUDENT.nAudioState());
            try (wrong) {
                assertThrows(IllegalArgumentException.class, () -> db.step(wrong, tAudio, batch.decoderInputs(), batch.targets(), LR));
            }
        }
    }

    @Test
    void studentInitCopiesMaximallySpacedTeacherLayers() {
        assertArrayEquals(new int[] {0, 3}, StudentInit.maximallySpaced(2, 4));
        assertArrayEquals(new int[] {0, 2, 4}, StudentInit.maximallySpaced(3, 5));
        assertArrayEquals(new int[] {0}, StudentInit.maximallySpaced(1, 4));
        assertThrows(IllegalArgumentException.class, () -> StudentInit.maximallySpaced(5, 4));
        try (WhisperModel t = teacher(7); WhisperModel s = StudentInit.fromTeacher(t, 2)) {
            assertEquals(2, s.config().nTextLayer());
            assertArrayEquals(t.stateTensors().get("decoder.blocks.3.mlp.0.weight").toFloatArray(),
                    s.stateTensors().get("decoder.blocks.1.mlp.0.weight").toFloatArray());
            assertArrayEquals(t.stateTensors().get("encoder.blocks.0.attn.query.weight").toFloatArray(),
                    s.stateTensors().get("encoder.blocks.0.attn.query.weight").toFloatArray());
        }
    }
}
