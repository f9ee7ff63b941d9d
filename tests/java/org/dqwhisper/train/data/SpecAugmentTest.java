package org.dqwhisper.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.train.TrainingBatch;
import org.dqwhisper.train.TrainingRng;
import org.junit.jupiter.api.Test;

class SpecAugmentTest {
    private static final int MELS = 80;
    private static final int FRAMES = 3000;

    /** A batch of random non-zero log-mel values (tokens are irrelevant to SpecAugment). */
    private static TrainingBatch batch(int[] content) {
        int b = content.length;
        float[] mel = new float[b * MELS * FRAMES];
        Random rng = new Random(1);
        for (int i = 0; i < mel.length; i++) {
            mel[i] = 0.5f + rng.nextFloat();
        }
        int[][] tokens = new int[b][];
        java.util.Arrays.fill(tokens, new int[] {1});
        return new TrainingBatch(Tensor.of(mel, b, MELS, FRAMES), tokens, tokens, content);
    }

    @Test
    void masksAreWhereTheySayAndNothingElseChanges() {
        int[] content = {250, 3000, 40};
        try (TrainingBatch in = batch(content); TrainingBatch out = SpecAugment.standard().apply(in, 123)) {
            checkMasks(in, out, content);
        }
    }

    private static void checkMasks(TrainingBatch in, TrainingBatch outBatch, int[] content) {
        float[] before;
        try (TrainingBatch fresh = batch(content)) {
            before = fresh.mel().toFloatArray();
        }
        float[] out = outBatch.mel().toFloatArray();
        SpecAugment aug = SpecAugment.standard();
        assertArrayEquals(before, in.mel().toFloatArray(), "the input batch must not change");
        int masked = 0;
        for (int r = 0; r < content.length; r++) {
            SpecAugment.Masks m = aug.masks(123, r, MELS, content[r]);
            assertEquals(2, m.frequency().size());
            assertEquals(2, m.time().size());
            for (SpecAugment.Span s : m.frequency()) {
                assertTrue(s.width() <= 27 && s.start() >= 0 && s.start() + s.width() <= MELS, s.toString());
            }
            for (SpecAugment.Span s : m.time()) {
                assertTrue(s.width() <= Math.min(100, content[r] / 20), s + " for " + content[r] + " frames");
                assertTrue(s.start() >= 0 && s.start() + s.width() <= content[r], s.toString());
            }
            for (int bin = 0; bin < MELS; bin++) {
                for (int f = 0; f < FRAMES; f++) {
                    int i = (r * MELS + bin) * FRAMES + f;
                    if (inside(m.frequency(), bin) || inside(m.time(), f)) {
                        assertEquals(SpecAugment.MASK_VALUE, out[i]);
                        masked++;
                    } else {
                        assertEquals(before[i], out[i]);
                    }
                }
            }
        }
        assertTrue(masked > 0, "nothing was masked");
        assertArrayEquals(in.contentFrames(), outBatch.contentFrames());
    }

    @Test
    void asABatchTransformItMasksInPlaceWithASeedFromTheRunsGenerator() {
        int[] content = {250, 3000, 40};
        TrainingRng rng = new TrainingRng(77);
        TrainingRng reference = new TrainingRng(77);
        long seed = reference.nextLong(); // the seed the transform draws
        try (TrainingBatch expected = batch(content); TrainingBatch copy = SpecAugment.standard().apply(expected, seed);
                TrainingBatch in = batch(content)) {
            TrainingBatch out = SpecAugment.standard().apply(in, rng);
            assertSame(in, out);
            assertArrayEquals(copy.mel().toFloatArray(), out.mel().toFloatArray());
            assertEquals(reference.state(), rng.state(), "one draw from the run's generator");
        }
    }

    @Test
    void masksAreAFunctionOfTheSeed() {
        SpecAugment aug = SpecAugment.standard();
        try (TrainingBatch in = batch(new int[] {800, 800}); TrainingBatch a = aug.apply(in, 5); TrainingBatch b = aug.apply(in, 5);
                TrainingBatch c = aug.apply(in, 6); TrainingBatch none = new SpecAugment(0, 27, 0, 100, 0.05).apply(in, 5)) {
            assertArrayEquals(a.mel().toFloatArray(), b.mel().toFloatArray());
            assertFalse(java.util.Arrays.equals(a.mel().toFloatArray(), c.mel().toFloatArray()));
            // rows of one batch get different masks
            assertNotEquals(aug.masks(5, 0, MELS, 800), aug.masks(5, 1, MELS, 800));
            // no masks: unchanged
            assertArrayEquals(in.mel().toFloatArray(), none.mel().toFloatArray());
        }
    }

    @Test
    void badParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SpecAugment(-1, 27, 2, 100, 0.05));
        assertThrows(IllegalArgumentException.class, () -> new SpecAugment(2, 27, 2, 100, 1.5));
    }

    private static boolean inside(List<SpecAugment.Span> spans, int x) {
        return spans.stream().anyMatch(s -> x >= s.start() && x < s.start() + s.width());
    }
}
