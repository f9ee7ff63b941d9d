package org.dqwhisper.distill;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.dqwhisper.distill.DynamicLayerMatcher.Mode;
import org.junit.jupiter.api.Test;

/** The matching modes on hand-made distance matrices whose answers are worked out by hand. */
class DynamicLayerMatcherTest {
    private static int[] dynamic(double[][] d) {
        return new DynamicLayerMatcher(Mode.DYNAMIC, d.length, d[0].length).match(d);
    }

    private static int[] free(double[][] d) {
        return new DynamicLayerMatcher(Mode.DYNAMIC_FREE, d.length, d[0].length).match(d);
    }

    @Test
    void staticIsTheAuthors2iPlus1ForTwoToOneAndEvenlySpacedOtherwise() {
        assertArrayEquals(new int[] {1, 3, 5, 7, 9, 11}, DynamicLayerMatcher.staticMapping(6, 12)); // small -> base
        assertArrayEquals(new int[] {1, 3, 5, 7}, DynamicLayerMatcher.staticMapping(4, 8));
        assertArrayEquals(new int[] {2, 5, 8, 11}, DynamicLayerMatcher.staticMapping(4, 12)); // small -> tiny, 3:1
        assertArrayEquals(new int[] {5, 11, 17, 23}, DynamicLayerMatcher.staticMapping(4, 24)); // medium -> tiny
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, DynamicLayerMatcher.staticMapping(6, 6));
        // 12 -> 5: round(5(i+1)/12) - 1 = round(.42 .83 1.25 1.67 2.08 2.5 ...) - 1
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4}, DynamicLayerMatcher.staticMapping(12, 5));
        assertArrayEquals(new int[] {0, 0, 1, 1}, DynamicLayerMatcher.staticMapping(4, 2)); // student deeper: repeats
        assertArrayEquals(new int[] {0, 0, 0, 1, 1}, DynamicLayerMatcher.staticMapping(5, 2)); // round(0.4) - 1 = -1 clamped to 0
        assertArrayEquals(new int[] {0}, DynamicLayerMatcher.staticMapping(1, 1));
        assertArrayEquals(new int[] {6}, DynamicLayerMatcher.staticMapping(1, 7));
        assertArrayEquals(new int[] {1, 3, 5}, new DynamicLayerMatcher(Mode.STATIC, 3, 6).match(null));
    }

    @Test
    void dynamicFollowsMonotoneMinima() {
        double[][] d = {
            {0.9, 0.2, 0.8, 0.9, 0.9, 0.9},
            {0.9, 0.9, 0.9, 0.1, 0.9, 0.9},
            {0.9, 0.9, 0.9, 0.9, 0.3, 0.9},
        };
        assertArrayEquals(new int[] {1, 3, 4}, dynamic(d));
        assertArrayEquals(new int[] {1, 3, 4}, free(d));
        assertEquals(0.6, DynamicLayerMatcher.total(d, dynamic(d)), 1e-12);
    }

    @Test
    void dynamicNeverLooksBackButMayRepeatALayer() {
        double[][] d = {
            {0.5, 0.4, 0.1, 0.6},
            {0.0, 0.3, 0.7, 0.2}, // its global minimum (j = 0) is behind pre = 2: best of j >= 2 is 3 (0.2)
            {0.9, 0.9, 0.9, 0.8}, // only j = 3 is left
        };
        assertArrayEquals(new int[] {2, 3, 3}, dynamic(d));
        assertArrayEquals(new int[] {2, 0, 3}, free(d));
        // the search includes pre itself: row 1 repeats row 0's layer when it is the smallest from there on
        double[][] e = {{1, 0.1, 1}, {1, 0.2, 0.3}};
        assertArrayEquals(new int[] {1, 1}, dynamic(e));
    }

    @Test
    void tiesKeepTheLowestTeacherLayer() {
        double[][] d = {
            {0.5, 0.2, 0.7, 0.2}, // tie between 1 and 3: strict < keeps 1
            {0.3, 0.6, 0.3, 0.3}, // from pre = 1: tie between 2 and 3 -> 2; free: 0
        };
        assertArrayEquals(new int[] {1, 2}, dynamic(d));
        assertArrayEquals(new int[] {1, 0}, free(d));
        double[][] flat = {{1, 1, 1}, {1, 1, 1}};
        assertArrayEquals(new int[] {0, 0}, dynamic(flat));
        assertArrayEquals(new int[] {0, 0}, free(flat));
    }

    @Test
    void studentDeeperThanTeacher() {
        double[][] d = {{0.1, 0.5}, {0.2, 0.3}, {0.4, 0.3}, {0.1, 0.9}, {0.2, 0.2}};
        // pre: 0 -> 0 -> 1 (0.3 < 0.4) -> stays 1 (only j = 1 left) -> 1
        assertArrayEquals(new int[] {0, 0, 1, 1, 1}, dynamic(d));
        assertArrayEquals(new int[] {0, 0, 1, 0, 0}, free(d));
    }

    @Test
    void equalDepthsAndSingleLayers() {
        double[][] d = {{0.1, 0.2, 0.3}, {0.3, 0.1, 0.2}, {0.3, 0.2, 0.1}};
        assertArrayEquals(new int[] {0, 1, 2}, dynamic(d));
        double[][] shifted = {{0.3, 0.1, 0.2}, {0.1, 0.3, 0.2}, {0.1, 0.2, 0.3}};
        assertArrayEquals(new int[] {1, 2, 2}, dynamic(shifted));
        assertArrayEquals(new int[] {1, 0, 0}, free(shifted));
        assertArrayEquals(new int[] {0}, dynamic(new double[][] {{3.0}}));
    }

    /** The greedy choice of row 0 (its own minimum) forces row 1 onto a large distance; a monotone optimum exists. */
    @Test
    void greedyIsNotTheOptimalMonotoneAssignment() {
        double[][] d = {{1.0, 0.0, 9.0}, {0.0, 9.0, 9.0}};
        int[] greedy = dynamic(d);
        assertArrayEquals(new int[] {1, 1}, greedy);
        assertEquals(9.0, DynamicLayerMatcher.total(d, greedy));
        assertEquals(1.0, bestMonotone(d)); // [0, 0]
        assertArrayEquals(new int[] {1, 0}, free(d));
        assertEquals(0.0, DynamicLayerMatcher.total(d, free(d)));
    }

    /** On random matrices: dynamic is non-decreasing, never better than the monotone optimum, free never worse than either. */
    @Test
    void propertiesOnRandomMatrices() {
        Random r = new Random(11);
        for (int t = 0; t < 300; t++) {
            int ns = 1 + r.nextInt(7), nt = 1 + r.nextInt(13);
            double[][] d = new double[ns][nt];
            for (double[] row : d) for (int j = 0; j < nt; j++) row[j] = r.nextInt(5) == 0 ? 0.5 : r.nextDouble();
            int[] g = dynamic(d), f = free(d);
            for (int i = 1; i < ns; i++) assertTrue(g[i] >= g[i - 1], "monotone");
            for (int i = 0; i < ns; i++) {
                assertTrue(g[i] >= 0 && g[i] < nt);
                for (int j = 0; j < nt; j++) assertTrue(d[i][f[i]] <= d[i][j], "free is the row minimum");
            }
            double opt = bestMonotone(d);
            assertTrue(DynamicLayerMatcher.total(d, g) >= opt - 1e-12);
            assertTrue(DynamicLayerMatcher.total(d, f) <= opt + 1e-12);
        }
    }

    /** Smallest total over all non-decreasing mappings (dynamic programming), for comparison only. */
    private static double bestMonotone(double[][] d) {
        int nt = d[0].length;
        double[] best = d[0].clone();
        for (int i = 1; i < d.length; i++) {
            double[] next = new double[nt];
            double prefix = Double.POSITIVE_INFINITY;
            for (int j = 0; j < nt; j++) {
                prefix = Math.min(prefix, best[j]);
                next[j] = prefix + d[i][j];
            }
            best = next;
        }
        double m = Double.POSITIVE_INFINITY;
        for (double v : best) m = Math.min(m, v);
        return m;
    }

    @Test
    void logitsAndNoneHaveNoHiddenLoss() {
        assertEquals(0, new DynamicLayerMatcher(Mode.LOGITS, 6, 12).match(null).length);
        assertEquals(0, new DynamicLayerMatcher(Mode.NONE, 6, 12).match(null).length);
        assertFalse(Mode.LOGITS.usesHiddenLoss());
        assertTrue(Mode.LOGITS.usesKl());
        assertFalse(Mode.NONE.usesKl());
        assertTrue(Mode.STATIC.usesHiddenLoss());
        assertFalse(Mode.STATIC.needsDistances());
        assertTrue(Mode.DYNAMIC.needsDistances());
        assertEquals(Mode.DYNAMIC_FREE, Mode.parse(" Dynamic-Free "));
        for (Mode m : Mode.values()) assertEquals(m, Mode.parse(m.toString()));
    }

    @Test
    void badInputIsRejected() {
        DynamicLayerMatcher m = new DynamicLayerMatcher(Mode.DYNAMIC, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> m.match(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.match(new double[][] {{1, 2, 3}}));
        assertTrue(e.getMessage().contains("1 rows, expected 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.match(new double[][] {{1, 2, 3}, {1, 2}}));
        assertTrue(e.getMessage().contains("row 1 has 2 entries"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.match(new double[][] {{1, 2, 3}, {1, Double.NaN, 3}}));
        assertTrue(e.getMessage().contains("distance[1][1] = NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DynamicLayerMatcher(Mode.STATIC, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> new DynamicLayerMatcher(null, 1, 3));
        e = assertThrows(IllegalArgumentException.class, () -> Mode.parse("greedy"));
        assertTrue(e.getMessage().contains("'greedy'"));
    }
}
