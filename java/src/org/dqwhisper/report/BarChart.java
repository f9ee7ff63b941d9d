package org.dqwhisper.report;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Grouped bars: one group per category along x (e.g. languages), one coloured bar per series in each group
 * (e.g. systems), the bar's height the value (e.g. CER %), optionally with an error bar from a low to a high
 * value (e.g. min / max over seeds). The value axis always includes 0. A NaN or infinite value draws no bar;
 * a NaN low or high draws no error bar. The default 1400 × 600 keeps 10 categories × 9 series readable.
 */
public final class BarChart extends Chart {
    private static final Color ERROR_BAR = new Color(0x222222);
    private static final double GROUP_FILL = 0.8; // share of a category's width taken by its bars

    private record Series(String name, double[] values, double[] low, double[] high) {}

    private final String yLabel;
    private final List<String> categories;
    private final List<Series> series = new ArrayList<>();

    public BarChart(String title, String yLabel, List<String> categories) {
        super("bar chart", title, 1400, 600);
        this.yLabel = yLabel == null ? "" : yLabel;
        if (categories == null || categories.isEmpty()) throw new IllegalArgumentException(describe() + ": no categories");
        for (int i = 0; i < categories.size(); i++) {
            if (categories.get(i) == null) throw new IllegalArgumentException(describe() + ": category " + i + " is null");
        }
        this.categories = List.copyOf(categories);
    }

    /** Sets the image size in pixels (at least 200 × 150). */
    public BarChart size(int width, int height) {
        setSize(width, height);
        return this;
    }

    /** Adds a series without error bars: one value per category. */
    public BarChart addSeries(String name, double[] values) {
        return addSeries(name, values, null, null);
    }

    /**
     * Adds a series with one value per category and error bars from {@code low[i]} to {@code high[i]} (both null
     * for none; NaN entries draw no error bar for that category). Arrays are copied.
     */
    public BarChart addSeries(String name, double[] values, double[] low, double[] high) {
        requireName(name, "series");
        String what = describe() + ": series '" + name + "'";
        if (values == null) throw new IllegalArgumentException(what + " has no values (null)");
        if (values.length != categories.size()) {
            throw new IllegalArgumentException(what + " has " + values.length + " values for " + categories.size() + " categories");
        }
        if ((low == null) != (high == null)) throw new IllegalArgumentException(what + ": error bars need both low and high values");
        if (low != null) {
            if (low.length != values.length || high.length != values.length) {
                throw new IllegalArgumentException(what + " has " + low.length + " low and " + high.length + " high values for "
                        + values.length + " categories");
            }
            for (int i = 0; i < low.length; i++) {
                if (low[i] > high[i]) {
                    throw new IllegalArgumentException(what + ", category '" + categories.get(i) + "': error bar low " + low[i]
                            + " above high " + high[i]);
                }
            }
        }
        for (Series s : series) {
            if (s.name.equals(name)) throw new IllegalArgumentException(what + " added twice");
        }
        series.add(new Series(name, values.clone(), low == null ? null : low.clone(), high == null ? null : high.clone()));
        return this;
    }

    public List<String> seriesNames() {
        return series.stream().map(Series::name).toList();
    }

    public List<String> categories() {
        return categories;
    }

    @Override
    void validate() {
        if (series.isEmpty()) throw new IllegalArgumentException(describe() + ": no series to draw");
    }

    @Override
    void draw(Canvas c) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.values.length; i++) {
                for (double v : new double[] {s.values[i], s.low == null ? Double.NaN : s.low[i], s.high == null ? Double.NaN : s.high[i]}) {
                    if (!Double.isFinite(v)) continue;
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        Axis y = Axis.linear(lo, hi, 6, true);
        List<String> names = seriesNames();
        double left = leftMargin(c, y, yLabel);
        double right = legendWidth(c, names) + 8;
        Rectangle2D.Double p = new Rectangle2D.Double(left, topMargin(), width() - left - right, height() - topMargin() - 34);
        plotArea = p;

        drawTitle(c);
        drawYAxis(c, y, p, yLabel);
        if (lo > hi) drawNoData(c, p);
        double group = p.width / categories.size();
        double bar = group * GROUP_FILL / series.size();
        double zero = y.map(0, p.y + p.height, p.y);
        for (int ci = 0; ci < categories.size(); ci++) {
            double g0 = p.x + ci * group + group * (1 - GROUP_FILL) / 2;
            for (int k = 0; k < series.size(); k++) {
                Series s = series.get(k);
                double bx = g0 + k * bar;
                double v = s.values[ci];
                if (Double.isFinite(v)) {
                    double vy = y.map(v, p.y + p.height, p.y);
                    // a 1 px gap between neighbouring bars when they are wide enough to afford it
                    double w = bar > 4 ? bar - 1 : bar;
                    c.fillRect(bx, Math.min(vy, zero), w, Math.abs(zero - vy), Palette.color(k));
                }
                if (s.low != null && Double.isFinite(s.low[ci]) && Double.isFinite(s.high[ci])) {
                    double cx = bx + bar / 2;
                    double yl = y.map(s.low[ci], p.y + p.height, p.y);
                    double yh = y.map(s.high[ci], p.y + p.height, p.y);
                    double cap = Math.min(bar * 0.3, 5);
                    c.line(cx, yl, cx, yh, ERROR_BAR, 1.3f);
                    c.line(cx - cap, yl, cx + cap, yl, ERROR_BAR, 1.3f);
                    c.line(cx - cap, yh, cx + cap, yh, ERROR_BAR, 1.3f);
                }
            }
            c.text(categories.get(ci), p.x + (ci + 0.5) * group, p.y + p.height + 18, TEXT, FONT, false, Canvas.Align.CENTER, false);
        }
        c.line(p.x, zero, p.x + p.width, zero, AXIS, 1.2f);
        drawFrame(c, p);
        drawLegend(c, p, names, false);
    }
}
