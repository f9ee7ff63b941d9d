package org.dqwhisper.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
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
        return new TrainingBatch(java.util.Collections.nCopies(b, "u"), java.util.Collections.nCopies(b, "en"), MELS,
            FRAMES, mel, content, 1, new int[b], new int[b], new int[b]);
    }

    @Test
    void masksAreWhereTheySayAndNothingElseChanges() {
        int[] content = {250, 3000, 40};
        TrainingBatch in = batch(content);
        float[] before = in.mel().clone();
        SpecAugment aug = SpecAugment.standard();
        TrainingBatch out = aug.apply(in, 123);
        assertArrayEquals(before, in.mel(), "the input batch must not change");
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
                        assertEquals(SpecAugment.MASK_VALUE, out.mel()[i]);
                        masked++;
                    } else {
                        assertEquals(before[i], out.mel()[i]);
                    }
                }
            }
        }
        assertTrue(masked > 0, "nothing was masked");
        assertEquals(in.ids(), out.ids());
        assertArrayEquals(in.contentFrames(), out.contentFrames());
    }

    @Test
    void masksAreAFunctionOfTheSeed() {
        TrainingBatch in = batch(new int[] {800, 800});
        SpecAugment aug = SpecAugment.standard();
        assertArrayEquals(aug.apply(in, 5).mel(), aug.apply(in, 5).mel());
        assertFalse(java.util.Arrays.equals(aug.apply(in, 5).mel(), aug.apply(in, 6).mel()));
        // rows of one batch get different masks
        assertNotEquals(aug.masks(5, 0, MELS, 800), aug.masks(5, 1, MELS, 800));
        // no masks: unchanged
        assertArrayEquals(in.mel(), new SpecAugment(0, 27, 0, 100, 0.05).apply(in, 5).mel());
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
