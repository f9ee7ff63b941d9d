package org.dqwhisper.distill;

import java.util.Locale;

/**
 * Which teacher layer each student layer is distilled from (DQ-Whisper's layer matching).
 *
 * <p>Input: a distance matrix {@code d[i][j]} between student layer i (of N_S) and teacher layer j (of
 * N_T), e.g. {@link DistillationLosses#hiddenDistance} of their FFN activations; output: a mapping
 * {@code m[i]} = the teacher layer of student layer i (0-based). Modes:
 * <ul>
 *   <li>{@code static}: a fixed, evenly spaced mapping {@code m[i] = max(0, round((i+1)·N_T/N_S) − 1)}
 *       (round half up), so the last student layer always takes the last teacher layer. For the 2:1
 *       depth ratio (small 12 → base 6) this is the authors' {@code 2i+1}; for N_S > N_T layers repeat.
 *       Distances are not needed.
 *   <li>{@code dynamic}: the paper's monotone greedy search ({@code dynamic_match_limit}, the shipped
 *       config), recomputed every batch: {@code pre = 0}; for each i in order, {@code m[i]} = the j in
 *       {@code pre..N_T−1} with the smallest distance (strict {@code <}, so ties keep the lowest j), then
 *       {@code pre = m[i]}. The mapping is non-decreasing and may repeat a teacher layer; it is greedy,
 *       not the optimal monotone assignment.
 *   <li>{@code dynamic-free}: the unrestricted argmin of every row ({@code dynamic_match_nolimit}).
 *   <li>{@code logits} and {@code none}: no hidden-state loss; {@link #match} returns an empty mapping
 *       ({@code logits} keeps the KL term, {@code none} trains on CE only).
 * </ul>
 * The selection is hard: only the chosen pairs (i, m[i]) receive gradient.
 */
public final class DynamicLayerMatcher {
    /** Matching modes, with their command-line names. */
    public enum Mode {
        STATIC("static"), DYNAMIC("dynamic"), DYNAMIC_FREE("dynamic-free"), LOGITS("logits"), NONE("none");

        private final String spec;

        Mode(String spec) {
            this.spec = spec;
        }

        public String spec() {
            return spec;
        }

        /** Whether the hidden-state term L_hid is part of the loss. */
        public boolean usesHiddenLoss() {
            return this == STATIC || this == DYNAMIC || this == DYNAMIC_FREE;
        }

        /** Whether the logit KL term is part of the loss. */
        public boolean usesKl() {
            return this != NONE;
        }

        /** Whether {@link #match} needs the distance matrix (the dynamic modes). */
        public boolean needsDistances() {
            return this == DYNAMIC || this == DYNAMIC_FREE;
        }

        public static Mode parse(String s) {
            if (s != null) {
                String t = s.trim().toLowerCase(Locale.ROOT);
                for (Mode m : values()) if (m.spec.equals(t)) return m;
            }
            throw new IllegalArgumentException("unknown layer matching mode '" + s + "' (expected static, dynamic, dynamic-free,"
                    + " logits or none)");
        }

        @Override
        public String toString() {
            return spec;
        }
    }

    private final Mode mode;
    private final int studentLayers;
    private final int teacherLayers;

    public DynamicLayerMatcher(Mode mode, int studentLayers, int teacherLayers) {
        if (mode == null) throw new IllegalArgumentException("layer matching: mode is null");
        if (studentLayers < 1 || teacherLayers < 1) {
            throw new IllegalArgumentException("layer matching: need at least one student and one teacher layer, got "
                    + studentLayers + " and " + teacherLayers);
        }
        this.mode = mode;
        this.studentLayers = studentLayers;
        this.teacherLayers = teacherLayers;
    }

    public Mode mode() {
        return mode;
    }

    public int studentLayers() {
        return studentLayers;
    }

    public int teacherLayers() {
        return teacherLayers;
    }

    /**
     * The mapping for this batch: {@code int[N_S]} of teacher layers, or an empty array for
     * {@code logits} / {@code none}. {@code distances} ({@code [N_S][N_T]}, finite) is required by the
     * dynamic modes and ignored (may be null) by the others.
     */
    public int[] match(double[][] distances) {
        return switch (mode) {
            case STATIC -> staticMapping(studentLayers, teacherLayers);
            case DYNAMIC -> monotoneGreedy(check(distances));
            case DYNAMIC_FREE -> unrestricted(check(distances));
            case LOGITS, NONE -> new int[0];
        };
    }

    /** {@code m[i] = max(0, round((i+1)·N_T/N_S) − 1)}, round half up, in exact integer arithmetic. */
    public static int[] staticMapping(int studentLayers, int teacherLayers) {
        if (studentLayers < 1 || teacherLayers < 1) {
            throw new IllegalArgumentException("static mapping: need at least one layer on each side");
        }
        int[] m = new int[studentLayers];
        for (int i = 0; i < studentLayers; i++) {
            long twice = 2L * (i + 1) * teacherLayers; // round(x / NS) = floor((2x + NS) / (2 NS))
            m[i] = (int) Math.max(0, (twice + studentLayers) / (2L * studentLayers) - 1);
        }
        return m;
    }

    /** The paper's monotone greedy search (see the class comment). */
    public static int[] monotoneGreedy(double[][] d) {
        int[] m = new int[d.length];
        int pre = 0;
        for (int i = 0; i < d.length; i++) {
            double best = Double.POSITIVE_INFINITY;
            int arg = pre;
            for (int j = pre; j < d[i].length; j++) {
                if (d[i][j] < best) {
                    best = d[i][j];
                    arg = j;
                }
            }
            m[i] = arg;
            pre = arg;
        }
        return m;
    }

    /** Unrestricted argmin per row, ties to the lowest teacher layer. */
    public static int[] unrestricted(double[][] d) {
        int[] m = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < d[i].length; j++) {
                if (d[i][j] < best) {
                    best = d[i][j];
                    m[i] = j;
                }
            }
        }
        return m;
    }

    /** Sum of {@code d[i][m[i]]} over the student layers (the L_hid numerator before the mean). */
    public static double total(double[][] d, int[] mapping) {
        double s = 0;
        for (int i = 0; i < mapping.length; i++) s += d[i][mapping[i]];
        return s;
    }

    private double[][] check(double[][] d) {
        if (d == null) throw new IllegalArgumentException("layer matching (" + mode + "): the distance matrix is null");
        if (d.length != studentLayers) {
            throw new IllegalArgumentException("layer matching (" + mode + "): distance matrix has " + d.length + " rows, expected "
                    + studentLayers + " (student layers)");
        }
        for (int i = 0; i < d.length; i++) {
            if (d[i] == null || d[i].length != teacherLayers) {
                throw new IllegalArgumentException("layer matching (" + mode + "): distance row " + i + " has "
                        + (d[i] == null ? "no" : String.valueOf(d[i].length)) + " entries, expected " + teacherLayers + " (teacher layers)");
            }
            for (int j = 0; j < d[i].length; j++) {
                if (!Double.isFinite(d[i][j])) {
                    throw new IllegalArgumentException("layer matching (" + mode + "): distance[" + i + "][" + j + "] = " + d[i][j]
                            + " is not finite");
                }
            }
        }
        return d;
    }

    @Override
    public String toString() {
        return "layer matching " + mode + " (" + studentLayers + " student, " + teacherLayers + " teacher layers)";
    }
}
