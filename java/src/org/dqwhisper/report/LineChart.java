package org.dqwhisper.report;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Named series of (x, y) points joined by lines in the order given, e.g. training loss against the update
 * step for several systems. A point whose x or y is NaN or infinite (or y ≤ 0 on a log y axis) is skipped and
 * breaks the line there (a gap); a point alone between gaps is drawn as a dot. Series with at most
 * {@value #MARKER_LIMIT} drawable points also get a dot at every point.
 */
public final class LineChart extends Chart {
    static final int MARKER_LIMIT = 60;
    private static final float LINE_WIDTH = 2f;

    private record Series(String name, double[] x, double[] y) {}

    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private boolean logY;
    private double xMin = Double.NaN;
    private double xMax = Double.NaN;

    public LineChart(String title, String xLabel, String yLabel) {
        super("line chart", title, 900, 500);
        this.xLabel = xLabel == null ? "" : xLabel;
        this.yLabel = yLabel == null ? "" : yLabel;
    }

    /** Sets the image size in pixels (at least 200 × 150). */
    public LineChart size(int width, int height) {
        setSize(width, height);
        return this;
    }

    /** A base-10 logarithmic y axis (non-positive values are then skipped). */
    public LineChart logY(boolean on) {
        logY = on;
        return this;
    }

    /**
     * Makes the x axis cover at least [min, max] (data outside still widens it), e.g. to align stacked panels
     * or to start a step axis at 0.
     */
    public LineChart xRange(double min, double max) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            throw new IllegalArgumentException(describe() + ": x range [" + min + ", " + max + "] is not a finite interval");
        }
        xMin = min;
        xMax = max;
        return this;
    }

    /** Adds a series (arrays copied; equal, non-zero lengths; a unique, non-null name). Colours follow the order added. */
    public LineChart addSeries(String name, double[] x, double[] y) {
        requireName(name, "series");
        if (x == null || y == null) throw new IllegalArgumentException(describe() + ": series '" + name + "' has a null x or y array");
        if (x.length != y.length) {
            throw new IllegalArgumentException(describe() + ": series '" + name + "' has " + x.length + " x values but " + y.length + " y values");
        }
        if (x.length == 0) throw new IllegalArgumentException(describe() + ": series '" + name + "' is empty");
        for (Series s : series) {
            if (s.name.equals(name)) throw new IllegalArgumentException(describe() + ": series '" + name + "' added twice");
        }
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    public List<String> seriesNames() {
        return series.stream().map(Series::name).toList();
    }

    @Override
    void validate() {
        if (series.isEmpty()) throw new IllegalArgumentException(describe() + ": no series to draw");
    }

    private boolean drawable(double x, double y, Axis yAxis) {
        return Double.isFinite(x) && yAxis.accepts(y);
    }

    @Override
    void draw(Canvas c) {
        Axis probe = logY ? Axis.logarithmic(1, 10) : Axis.linear(0, 1, 2, false); // only for accepts()
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (!drawable(s.x[i], s.y[i], probe)) continue;
                x0 = Math.min(x0, s.x[i]);
                x1 = Math.max(x1, s.x[i]);
                y0 = Math.min(y0, s.y[i]);
                y1 = Math.max(y1, s.y[i]);
            }
        }
        boolean empty = x0 > x1;
        if (!Double.isNaN(xMin)) {
            x0 = Math.min(x0, xMin);
            x1 = Math.max(x1, xMax);
        }
        Axis xAxis = Axis.linear(x0, x1, 8, false);
        Axis yAxis = logY ? Axis.logarithmic(y0, y1) : Axis.linear(y0, y1, 6, false);

        List<String> names = seriesNames();
        double left = leftMargin(c, yAxis, yLabel);
        double right = names.size() > 1 ? legendWidth(c, names) + 8 : 20;
        double bottom = xLabel.isEmpty() ? 30 : 48;
        Rectangle2D.Double p = new Rectangle2D.Double(left, topMargin(), width() - left - right, height() - topMargin() - bottom);
        plotArea = p;

        drawTitle(c);
        drawYAxis(c, yAxis, p, yLabel);
        drawXAxis(c, xAxis, p, xLabel);
        if (empty) drawNoData(c, p);
        for (int k = 0; k < series.size(); k++) drawSeries(c, series.get(k), Palette.color(k), xAxis, yAxis, p);
        drawFrame(c, p);
        if (names.size() > 1) drawLegend(c, p, names, true);
    }

    private void drawSeries(Canvas c, Series s, Color color, Axis xAxis, Axis yAxis, Rectangle2D.Double p) {
        int n = s.x.length;
        double[] px = new double[n];
        double[] py = new double[n];
        int run = 0;
        int drawablePoints = 0;
        for (int i = 0; i < n; i++) if (drawable(s.x[i], s.y[i], yAxis)) drawablePoints++;
        boolean markers = drawablePoints <= MARKER_LIMIT;
        for (int i = 0; i <= n; i++) {
            if (i < n && drawable(s.x[i], s.y[i], yAxis)) {
                px[run] = xAxis.map(s.x[i], p.x, p.x + p.width);
                py[run] = yAxis.map(s.y[i], p.y + p.height, p.y);
                if (markers) c.fillCircle(px[run], py[run], 2.5, color);
                run++;
                continue;
            }
            if (run == 1 && !markers) c.fillCircle(px[0], py[0], 2.5, color); // an isolated point
            else c.polyline(px, py, run, color, LINE_WIDTH);
            run = 0;
        }
    }
}
