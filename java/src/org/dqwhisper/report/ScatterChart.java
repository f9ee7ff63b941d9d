package org.dqwhisper.report;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Labelled points (e.g. model size in MB against CER % per system), each in its own palette colour with its
 * label written beside it, optionally with a ± y error bar and a logarithmic x axis. Points with a NaN or
 * infinite coordinate (or x ≤ 0 on a log x axis) are skipped.
 */
public final class ScatterChart extends Chart {
    private static final Color ERROR_BAR = new Color(0x444444);
    private static final double RADIUS = 5;

    private record Point(String label, double x, double y, double yError) {}

    private final String xLabel;
    private final String yLabel;
    private final List<Point> points = new ArrayList<>();
    private boolean logX;

    public ScatterChart(String title, String xLabel, String yLabel) {
        super("scatter chart", title, 900, 600);
        this.xLabel = xLabel == null ? "" : xLabel;
        this.yLabel = yLabel == null ? "" : yLabel;
    }

    /** Sets the image size in pixels (at least 200 × 150). */
    public ScatterChart size(int width, int height) {
        setSize(width, height);
        return this;
    }

    /** A base-10 logarithmic x axis. */
    public ScatterChart logX(boolean on) {
        logX = on;
        return this;
    }

    public ScatterChart addPoint(String label, double x, double y) {
        return addPoint(label, x, y, Double.NaN);
    }

    /** Adds a point with an error bar from y − yError to y + yError (NaN: none; negative is rejected). */
    public ScatterChart addPoint(String label, double x, double y, double yError) {
        requireName(label, "point");
        if (yError < 0) throw new IllegalArgumentException(describe() + ": point '" + label + "' has a negative y error " + yError);
        points.add(new Point(label, x, y, yError));
        return this;
    }

    public int points() {
        return points.size();
    }

    @Override
    void validate() {
        if (points.isEmpty()) throw new IllegalArgumentException(describe() + ": no points to draw");
    }

    private boolean drawable(Point pt) {
        return Double.isFinite(pt.x) && Double.isFinite(pt.y) && (!logX || pt.x > 0);
    }

    @Override
    void draw(Canvas c) {
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (Point pt : points) {
            if (!drawable(pt)) continue;
            double e = Double.isFinite(pt.yError) ? pt.yError : 0;
            x0 = Math.min(x0, pt.x);
            x1 = Math.max(x1, pt.x);
            y0 = Math.min(y0, pt.y - e);
            y1 = Math.max(y1, pt.y + e);
        }
        boolean empty = x0 > x1;
        Axis xAxis;
        if (logX) {
            xAxis = Axis.logarithmic(x0 / 1.25, x1 * 1.25); // a margin so no point sits on the frame
        } else {
            double pad = (x1 - x0) * 0.05;
            xAxis = Axis.linear(x0 - pad, x1 + pad, 8, false);
        }
        double ypad = (y1 - y0) * 0.05;
        Axis yAxis = Axis.linear(y0 - ypad, y1 + ypad, 6, false);

        double left = leftMargin(c, yAxis, yLabel);
        double bottom = xLabel.isEmpty() ? 30 : 48;
        Rectangle2D.Double p = new Rectangle2D.Double(left, topMargin(), width() - left - 20, height() - topMargin() - bottom);
        plotArea = p;

        drawTitle(c);
        drawYAxis(c, yAxis, p, yLabel);
        drawXAxis(c, xAxis, p, xLabel);
        if (empty) drawNoData(c, p);
        for (int i = 0; i < points.size(); i++) {
            Point pt = points.get(i);
            if (!drawable(pt)) continue;
            double px = xAxis.map(pt.x, p.x, p.x + p.width);
            double py = yAxis.map(pt.y, p.y + p.height, p.y);
            if (Double.isFinite(pt.yError) && pt.yError > 0) {
                double ylo = yAxis.map(pt.y - pt.yError, p.y + p.height, p.y);
                double yhi = yAxis.map(pt.y + pt.yError, p.y + p.height, p.y);
                c.line(px, ylo, px, yhi, ERROR_BAR, 1.2f);
                c.line(px - 4, ylo, px + 4, ylo, ERROR_BAR, 1.2f);
                c.line(px - 4, yhi, px + 4, yhi, ERROR_BAR, 1.2f);
            }
            c.fillCircle(px, py, RADIUS, Palette.color(i));
            // the label right of the point, or left of it where it would leave the plot
            boolean fitsRight = px + RADIUS + 4 + c.textWidth(pt.label, FONT, false) <= p.x + p.width;
            c.text(pt.label, fitsRight ? px + RADIUS + 4 : px - RADIUS - 4, py - 4, TEXT, FONT, false,
                    fitsRight ? Canvas.Align.LEFT : Canvas.Align.RIGHT, false);
        }
        drawFrame(c, p);
    }
}
