package org.dqwhisper.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.dqwhisper.decode.TranscriptionListener;

/**
 * A one-line text progress bar of transcription, redrawn in place with a carriage return:
 * {@code name  42% |#########           | 12:36/30:00}. Times are audio positions (10 ms per mel frame).
 */
final class ProgressBar implements TranscriptionListener {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final String label;
    private int lastPercent = -1;

    ProgressBar(PrintWriter out, String label) {
        this.out = out;
        this.label = label;
    }

    @Override
    public void progress(int doneFrames, int totalFrames) {
        int percent = totalFrames == 0 ? 100 : (int) (100L * doneFrames / totalFrames);
        if (percent == lastPercent) {
            return;
        }
        lastPercent = percent;
        out.print("\r" + render(label, doneFrames, totalFrames));
        out.flush();
    }

    /** Ends the line. */
    void finish() {
        if (lastPercent >= 0) {
            out.println();
            out.flush();
        }
    }

    static String render(String label, int doneFrames, int totalFrames) {
        int done = Math.max(0, Math.min(doneFrames, totalFrames));
        int filled = totalFrames == 0 ? WIDTH : (int) ((long) WIDTH * done / totalFrames);
        int percent = totalFrames == 0 ? 100 : (int) (100L * done / totalFrames);
        return String.format(Locale.ROOT, "%s %3d%% |%s%s| %s/%s", label, percent, "#".repeat(filled),
                " ".repeat(WIDTH - filled), clock(done), clock(totalFrames));
    }

    private static String clock(int frames) {
        long seconds = frames / 100;
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%02d:%02d", seconds / 60, seconds % 60);
    }
}
