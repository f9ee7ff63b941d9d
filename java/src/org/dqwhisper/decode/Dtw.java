package org.dqwhisper.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * Dynamic time warping as whisper's {@code dtw_cpu} + {@code backtrace}, used to align text tokens (rows) with audio
 * positions (columns) on a cost matrix.
 *
 * <p>{@code cost[0][0] = 0}, every other border cell is infinite, and
 * {@code cost[i][j] = x[i-1][j-1] + min(cost[i-1][j-1], cost[i-1][j], cost[i][j-1])} with whisper's tie rule: the
 * diagonal only when strictly smaller than both others, else the vertical step only when strictly smaller than
 * both others, else the horizontal step. Costs are stored in float32 as in whisper (ties depend on that rounding).
 * The path is traced back from {@code (N, M)} to {@code (0, 0)}, forcing horizontal moves on the top border and
 * vertical ones on the left border.
 */
public final class Dtw {
    private Dtw() {}

    /**
     * The warping path through {@code x} ({@code N x M}, N, M >= 1) from (0, 0) to (N-1, M-1).
     *
     * @return {@code {textIndices, timeIndices}}, each as long as the path, both non-decreasing
     */
    public static int[][] path(double[][] x) {
        int n = x.length;
        if (n == 0 || x[0].length == 0) {
            throw new IllegalArgumentException("DTW needs a non-empty matrix, got " + n + " rows");
        }
        int m = x[0].length;
        float[][] cost = new float[n + 1][m + 1];
        byte[][] trace = new byte[n + 1][m + 1];
        for (float[] row : cost) {
            java.util.Arrays.fill(row, Float.POSITIVE_INFINITY);
        }
        cost[0][0] = 0;
        for (int i = 1; i <= n; i++) {
            if (x[i - 1].length != m) {
                throw new IllegalArgumentException("DTW matrix row " + (i - 1) + " has " + x[i - 1].length
                        + " columns, expected " + m);
            }
        }
        for (int j = 1; j <= m; j++) {
            for (int i = 1; i <= n; i++) {
                float c0 = cost[i - 1][j - 1];
                float c1 = cost[i - 1][j];
                float c2 = cost[i][j - 1];
                float c;
                byte t;
                if (c0 < c1 && c0 < c2) {
                    c = c0;
                    t = 0;
                } else if (c1 < c0 && c1 < c2) {
                    c = c1;
                    t = 1;
                } else {
                    c = c2;
                    t = 2;
                }
                cost[i][j] = (float) (x[i - 1][j - 1] + c);
                trace[i][j] = t;
            }
        }
        return backtrace(trace, n, m);
    }

    private static int[][] backtrace(byte[][] trace, int n, int m) {
        for (int j = 0; j <= m; j++) {
            trace[0][j] = 2;
        }
        for (int i = 0; i <= n; i++) {
            trace[i][0] = 1;
        }
        List<int[]> reversed = new ArrayList<>(n + m);
        int i = n;
        int j = m;
        while (i > 0 || j > 0) {
            reversed.add(new int[] {i - 1, j - 1});
            switch (trace[i][j]) {
                case 0 -> {
                    i--;
                    j--;
                }
                case 1 -> i--;
                default -> j--;
            }
        }
        int len = reversed.size();
        int[][] out = new int[2][len];
        for (int k = 0; k < len; k++) {
            int[] step = reversed.get(len - 1 - k);
            out[0][k] = step[0];
            out[1][k] = step[1];
        }
        return out;
    }
}
