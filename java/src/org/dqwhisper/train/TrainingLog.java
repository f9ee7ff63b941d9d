package org.dqwhisper.train;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.dqwhisper.report.LineChart;

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

    /** Two panels: training loss (top), dev WER and CER in percent (bottom), each a {@link LineChart}. */
    BufferedImage plot() {
        int w = 900, h = 640;
        double maxStep = 1;
        for (double[] r : rows) maxStep = Math.max(maxStep, r[0]);
        LineChart loss = new LineChart("training loss", "step", "loss").size(w, h / 2).xRange(0, maxStep);
        loss.addSeries("training loss", column(0), column(1));
        LineChart dev = new LineChart("dev WER / CER (%)", "step", "%").size(w, h / 2).xRange(0, maxStep);
        dev.addSeries("WER", column(0, 4), column(4, 4, 100));
        dev.addSeries("CER", column(0, 5), column(5, 5, 100));
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.drawImage(loss.toImage(), 0, 0, null);
            g.drawImage(dev.toImage(), 0, h / 2, null);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Column {@code col} of the rows where column {@code present} is logged (not NaN), times {@code scale}. */
    private double[] column(int col, int present, double scale) {
        double[] v = rows.stream().filter(r -> !Double.isNaN(r[present])).mapToDouble(r -> r[col] * scale).toArray();
        // a chart series needs a point: before the first row or evaluation, one gap point draws an empty panel
        return v.length == 0 ? new double[] {Double.NaN} : v;
    }

    private double[] column(int col, int present) {
        return column(col, present, 1);
    }

    private double[] column(int col) {
        return column(col, 1, 1);
    }
}
