package org.dqwhisper.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** DTW, median filter and alignment-head masks against hand-computed or independently derived answers. */
class AlignmentMathTest {
    @Test
    void dtwFollowsTheCheapestPath() {
        // costs by hand: cost[1][1..4] = 0, 0, 5, 10 and cost[2][1..4] = 5, 10, 0, 0; from (2, 4) the trace goes
        // left, diagonal, left, diagonal: cells (0,0) (0,1) (1,2) (1,3)
        int[][] path = Dtw.path(new double[][] {{0, 0, 5, 5}, {5, 5, 0, 0}});
        assertArrayEquals(new int[] {0, 0, 1, 1}, path[0]);
        assertArrayEquals(new int[] {0, 1, 2, 3}, path[1]);
    }

    @Test
    void dtwTieRulesPreferTheHorizontalStepThenTheVerticalOne() {
        // on a flat matrix every predecessor ties: whisper takes the horizontal step (trace 2) inside the matrix,
        // but in column 1 only the vertical step is finite, so the path goes down first, then right
        int[][] path = Dtw.path(new double[2][3]);
        assertArrayEquals(new int[] {0, 1, 1, 1}, path[0]);
        assertArrayEquals(new int[] {0, 0, 1, 2}, path[1]);
        // a single row is walked left to right
        int[][] row = Dtw.path(new double[][] {{3, 1, 2}});
        assertArrayEquals(new int[] {0, 0, 0}, row[0]);
        assertArrayEquals(new int[] {0, 1, 2}, row[1]);
        // c0 == c1 < c2 still takes c2 (whisper's else branch): cost[2][2] = 5 + 5 in the first example, which is
        // why the optimal path there avoids cell (1, 1)
        assertThrows(IllegalArgumentException.class, () -> Dtw.path(new double[0][0]));
        assertThrows(IllegalArgumentException.class, () -> Dtw.path(new double[][] {{1, 2}, {3}}));
    }

    @Test
    void dtwPathIsMonotoneAndCoversEveryRowAndColumn() {
        java.util.Random random = new java.util.Random(3);
        double[][] x = new double[7][40];
        for (double[] r : x) {
            for (int j = 0; j < r.length; j++) {
                r[j] = random.nextGaussian();
            }
        }
        int[][] p = Dtw.path(x);
        assertEquals(0, p[0][0]);
        assertEquals(0, p[1][0]);
        assertEquals(6, p[0][p[0].length - 1]);
        assertEquals(39, p[1][p[1].length - 1]);
        for (int k = 1; k < p[0].length; k++) {
            int di = p[0][k] - p[0][k - 1];
            int dj = p[1][k] - p[1][k - 1];
            assertEquals(true, (di == 0 || di == 1) && (dj == 0 || dj == 1) && di + dj >= 1, "step " + k);
        }
    }

    @Test
    void medianFilterWithReflectPadding() {
        // width 3 on 1 5 2 8 3: padded 5 | 1 5 2 8 3 | 8, medians 5 2 5 3 8
        assertArrayEquals(new double[] {5, 2, 5, 3, 8}, MedianFilter.apply(new double[] {1, 5, 2, 8, 3}, 3));
        // width 7 on 4 values: padded d c b | a b c d | c b a
        double[] x = {1, 4, 2, 3};
        // windows: [3,2,4,1,4,2,3] -> 3; [2,4,1,4,2,3,2] -> 2; [4,1,4,2,3,2,4] -> 3; [1,4,2,3,2,4,1] -> 2
        assertArrayEquals(new double[] {3, 2, 3, 2}, MedianFilter.apply(x, 7));
        // rows no longer than width / 2 are returned as they are (whisper cannot reflect-pad them)
        assertArrayEquals(new double[] {9, 1, 5}, MedianFilter.apply(new double[] {9, 1, 5}, 7));
        // a step survives the filter unmoved
        assertArrayEquals(new double[] {0, 0, 0, 0, 1, 1, 1, 1},
                MedianFilter.apply(new double[] {0, 0, 0, 0, 1, 1, 1, 1}, 7));
        assertThrows(IllegalArgumentException.class, () -> MedianFilter.apply(x, 4));
    }

    private static List<int[]> pairs(int[]... p) {
        return List.of(p);
    }

    private static void assertHeads(List<int[]> expected, AlignmentHeads actual) {
        assertEquals(expected.size(), actual.size(), actual.toString());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.heads().get(i), "head " + i + " of " + actual);
        }
    }

    @Test
    void officialAlignmentHeadsDecode() {
        // expected lists decoded independently with Python's base64.b85decode and gzip.decompress
        assertHeads(pairs(new int[] {1, 0}, new int[] {2, 0}, new int[] {2, 5}, new int[] {3, 0}, new int[] {3, 1},
                new int[] {3, 2}, new int[] {3, 3}, new int[] {3, 4}), AlignmentHeads.forModel("tiny.en"));
        assertHeads(pairs(new int[] {2, 2}, new int[] {3, 0}, new int[] {3, 2}, new int[] {3, 3}, new int[] {3, 4},
                new int[] {3, 5}), AlignmentHeads.forModel("tiny"));
        assertHeads(pairs(new int[] {3, 3}, new int[] {4, 7}, new int[] {5, 1}, new int[] {5, 5}, new int[] {5, 7}),
                AlignmentHeads.forModel("base.en"));
        assertHeads(pairs(new int[] {3, 1}, new int[] {4, 2}, new int[] {4, 3}, new int[] {4, 7}, new int[] {5, 1},
                new int[] {5, 2}, new int[] {5, 4}, new int[] {5, 6}), AlignmentHeads.forModel("base"));
        assertHeads(pairs(new int[] {13, 15}, new int[] {15, 4}, new int[] {15, 15}, new int[] {16, 1},
                new int[] {20, 0}, new int[] {23, 4}), AlignmentHeads.forModel("medium"));
        assertHeads(pairs(new int[] {7, 0}, new int[] {10, 17}, new int[] {12, 18}, new int[] {13, 12},
                new int[] {16, 1}, new int[] {17, 14}, new int[] {19, 11}, new int[] {21, 4}, new int[] {24, 1},
                new int[] {25, 6}), AlignmentHeads.forModel("large"));
        assertHeads(pairs(new int[] {2, 4}, new int[] {2, 11}, new int[] {3, 3}, new int[] {3, 6}, new int[] {3, 11},
                new int[] {3, 14}), AlignmentHeads.forModel("turbo"));
        assertEquals(23, AlignmentHeads.forModel("large-v2").size());
        assertEquals(19, AlignmentHeads.forModel("small.en").size());
    }

    @Test
    void defaultHeadsAreTheLastHalfAndBadDumpsAreRejected() {
        AlignmentHeads half = AlignmentHeads.lastHalf(4, 2);
        assertHeads(pairs(new int[] {2, 0}, new int[] {2, 1}, new int[] {3, 0}, new int[] {3, 1}), half);
        assertThrows(IllegalArgumentException.class, () -> AlignmentHeads.forModel("huge"));
        // the tiny mask is 4 x 6: any other shape is refused
        assertThrows(IllegalArgumentException.class,
                () -> AlignmentHeads.fromBase85("ABzY8bu8Lr0{>%RKn9Fp%m@SkK7Kt=7ytkO", 6, 8));
        assertThrows(IllegalArgumentException.class, () -> AlignmentHeads.fromBase85("ABzY8\"", 4, 6));
        assertThrows(IllegalArgumentException.class, () -> AlignmentHeads.fromBase85("00000", 4, 6)); // no gzip
        assertThrows(IllegalArgumentException.class,
                () -> new AlignmentHeads(4, 6, List.of(new int[] {3, 0}, new int[] {1, 0})));
        assertThrows(IllegalArgumentException.class, () -> new AlignmentHeads(4, 6, List.of(new int[] {4, 0})));
    }

    @Test
    void base85MatchesPython() {
        // b85encode(b"hello") == b"Xk~0{Zv", padding handled by dropping the filler bytes
        assertArrayEquals("hello".getBytes(), AlignmentHeads.base85Decode("Xk~0{Zv"));
        assertArrayEquals(new byte[0], AlignmentHeads.base85Decode(""));
    }
}
