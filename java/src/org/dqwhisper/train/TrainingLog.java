package org.dqwhisper.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The run's curves: one CSV row per logged update ({@code step,loss,learning_rate,grad_norm,dev_wer,dev_cer},
 * dev columns empty between evaluations) and a PNG with the training loss and the dev WER/CER
 * against the update count, both rewritten atomically after each evaluation. On resume the CSV's
 * rows up to the checkpoint are read back, so the curves continue.
 */
public final class TrainingLog {
    private static final String HEADER = "step,loss,learning_rate,grad_norm,dev_wer,dev_cer";
    private final Path csv;
    private final Path png;
    private final List<double[]> rows = new ArrayList<>(); // step, loss, lr, norm, wer (NaN), cer (NaN)

    public TrainingLog(Path csv, Path png) {
        this.csv = csv;
        this.png = png;
    }

    /** Reads an existing CSV back, keeping rows with step ≤ {@code upToStep}. */
    public void resume(long upToStep) throws IOException {
        rows.clear();
        if (!Files.isRegularFile(csv)) return;
        List<String> lines = Files.readAllLines(csv);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length != 6) continue;
            double[] r = new double[6];
            for (int j = 0; j < 6; j++) r[j] = f[j].isEmpty() ? Double.NaN : Double.parseDouble(f[j]);
            if (r[0] <= upToStep) rows.add(r);
        }
    }

    public void addStep(StepResult s) {
        rows.add(new double[] {s.step(), s.loss(), s.learningRate(), s.gradientNorm(), Double.NaN, Double.NaN});
    }

    public void addEvaluation(long step, double wer, double cer) {
        double[] last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
        if (last != null && last[0] == step) {
            last[4] = wer;
            last[5] = cer;
        } else {
            rows.add(new double[] {step, Double.NaN, Double.NaN, Double.NaN, wer, cer});
        }
    }

    /** Rewrites the CSV and the PNG. */
    public void write() throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (double[] r : rows) {
            sb.append((long) r[0]);
            for (int j = 1; j < 6; j++) sb.append(',').append(Double.isNaN(r[j]) ? "" : String.format(Locale.ROOT, "%.6g", r[j]));
            sb.append('\n');
        }
        AtomicFiles.writeString(csv, sb.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(plot(), "png", out);
        AtomicFiles.write(png, out.toByteArray());
    }

    /** Two panels: training loss (top), dev WER and CER in percent (bottom). */
    BufferedImage plot() {
        int w = 900, h = 640;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            double maxStep = 1;
            for (double[] r : rows) maxStep = Math.max(maxStep, r[0]);
            panel(g, 60, 30, w - 90, 250, "training loss", maxStep, new int[] {1}, new Color[] {new Color(0x1f77b4)}, 1);
            panel(g, 60, 350, w - 90, 250, "dev WER / CER (%)", maxStep, new int[] {4, 5},
                    new Color[] {new Color(0xd62728), new Color(0x2ca02c)}, 100);
        } finally {
            g.dispose();
        }
        return img;
    }

    private void panel(Graphics2D g, int x0, int y0, int pw, int ph, String title, double maxStep, int[] cols, Color[] colors, double scale) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] r : rows) {
            for (int c : cols) {
                if (!Double.isNaN(r[c])) {
                    lo = Math.min(lo, r[c] * scale);
                    hi = Math.max(hi, r[c] * scale);
                }
            }
        }
        g.setColor(Color.BLACK);
        g.drawString(title, x0, y0 - 8);
        g.drawRect(x0, y0, pw, ph);
        if (lo > hi) {
            g.drawString("no data yet", x0 + pw / 2 - 30, y0 + ph / 2);
            return;
        }
        lo = Math.min(lo, 0);
        if (hi <= lo) hi = lo + 1;
        g.drawString(String.format(Locale.ROOT, "%.3g", hi), 5, y0 + 10);
        g.drawString(String.format(Locale.ROOT, "%.3g", lo), 5, y0 + ph);
        g.drawString("0", x0, y0 + ph + 15);
        g.drawString(String.valueOf((long) maxStep), x0 + pw - 40, y0 + ph + 15);
        g.drawString("step", x0 + pw / 2, y0 + ph + 15);
        g.setStroke(new BasicStroke(1.5f));
        for (int k = 0; k < cols.length; k++) {
            g.setColor(colors[k]);
            int px = -1, py = -1;
            for (double[] r : rows) {
                double v = r[cols[k]];
                if (Double.isNaN(v)) continue;
                int x = x0 + (int) Math.round(r[0] / maxStep * pw);
                int y = y0 + ph - (int) Math.round((v * scale - lo) / (hi - lo) * ph);
                if (px >= 0) g.drawLine(px, py, x, y);
                else g.fillOval(x - 2, y - 2, 4, 4);
                px = x;
                py = y;
            }
        }
        if (cols.length > 1) {
            g.setColor(colors[0]);
            g.drawString("WER", x0 + pw - 80, y0 + 15);
            g.setColor(colors[1]);
            g.drawString("CER", x0 + pw - 40, y0 + 15);
        }
    }
}
