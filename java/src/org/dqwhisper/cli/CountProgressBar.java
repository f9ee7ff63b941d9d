package org.dqwhisper.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on a terminal ({@code \r}-redrawn at most every 100 ms), or, when the stream is not a
 * terminal, a plain line at every tenth of the work. Thread-safe.
 */
final class CountProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final String label;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;

    CountProgressBar(PrintStream out, String label, boolean terminal) {
        this.out = out;
        this.label = label;
        this.terminal = terminal;
    }

    /** Shows {@code done} of {@code total} with a free-form suffix. */
    synchronized void update(int done, int total, String detail) {
        long now = System.nanoTime();
        boolean last = done >= total;
        if (terminal) {
            if (!last && now - lastDraw < REDRAW_NANOS) {
                return;
            }
            lastDraw = now;
            out.print("\r" + line(done, total, detail, now) + (last ? "\n" : ""));
        } else {
            int decile = total == 0 ? 10 : done * 10 / total;
            if (decile == lastDecile) {
                return;
            }
            lastDecile = decile;
            out.println(line(done, total, detail, now));
        }
        out.flush();
    }

    private String line(int done, int total, String detail, long now) {
        double fraction = total == 0 ? 1 : Math.min(1, done / (double) total);
        int filled = (int) Math.round(fraction * WIDTH);
        double elapsed = (now - start) / 1e9;
        String eta = done > 0 && done < total ? String.format(Locale.ROOT, " ETA %s",
            clock(elapsed * (total - done) / done)) : "";
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d %s %s%s", label, "#".repeat(filled),
            ".".repeat(WIDTH - filled), done, total, detail, clock(elapsed), eta);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
