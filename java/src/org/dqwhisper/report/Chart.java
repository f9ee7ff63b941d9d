package org.dqwhisper.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * What every chart shares: a title, a pixel size, rendering to a PNG image or an SVG document (one layout
 * drawn through {@link Canvas}), atomic file writes, and the axis, grid and legend drawing. Charts are
 * mutable builders and not thread-safe.
 */
public abstract sealed class Chart permits LineChart, BarChart, ScatterChart {
    static final Color TEXT = new Color(0x222222);
    static final Color AXIS = new Color(0x444444);
    static final Color GRID = new Color(0xe3e3e3);
    static final int FONT = 12;
    static final int TITLE_FONT = 15;
    private static final int MIN_WIDTH = 200;
    private static final int MIN_HEIGHT = 150;

    private final String kind;
    final String title;
    private int width;
    private int height;
    /** The plot area of the last rendering (for tests that inspect pixels). */
    Rectangle2D.Double plotArea;

    Chart(String kind, String title, int width, int height) {
        this.kind = kind;
        this.title = title == null ? "" : title;
        setSize(width, height);
    }

    /** "line chart 'training loss'": how error messages name this chart. */
    final String describe() {
        return title.isEmpty() ? kind : kind + " '" + title + "'";
    }

    final void setSize(int w, int h) {
        if (w < MIN_WIDTH || h < MIN_HEIGHT) {
            throw new IllegalArgumentException(describe() + ": size " + w + "x" + h + " is below the minimum " + MIN_WIDTH + "x" + MIN_HEIGHT);
        }
        width = w;
        height = h;
    }

    public final int width() {
        return width;
    }

    public final int height() {
        return height;
    }

    final String requireName(String name, String what) {
        if (name == null) throw new IllegalArgumentException(describe() + ": " + what + " name is null");
        return name;
    }

    /** Throws IllegalArgumentException when the chart has nothing to draw. */
    abstract void validate();

    /** Draws the whole chart (background excluded) and sets {@link #plotArea}. */
    abstract void draw(Canvas c);

    /** Renders the chart to an RGB image of {@link #width()} × {@link #height()}. */
    public final BufferedImage toImage() {
        validate();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            draw(new RasterCanvas(g));
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Writes the chart as a PNG: to a temporary file in the target's folder, then renamed over the target atomically. */
    public final void writePng(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        BufferedImage img = toImage();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", out)) throw new IOException(file + ": no PNG writer available");
        AtomicWrite.write(file, out.toByteArray());
    }

    /** The same layout as an SVG 1.1 document. */
    public final String toSvg() {
        validate();
        SvgCanvas c = new SvgCanvas(width, height);
        c.fillRect(0, 0, width, height, Color.WHITE);
        draw(c);
        return c.document();
    }

    /** Writes {@link #toSvg()} (UTF-8) atomically, like {@link #writePng}. */
    public final void writeSvg(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        AtomicWrite.write(file, toSvg().getBytes(StandardCharsets.UTF_8));
    }

    // ---- shared layout pieces ----

    /** Top margin: room for the title when there is one. */
    final double topMargin() {
        return title.isEmpty() ? 14 : 38;
    }

    final void drawTitle(Canvas c) {
        if (!title.isEmpty()) c.text(title, width / 2.0, 24, TEXT, TITLE_FONT, true, Canvas.Align.CENTER, false);
    }

    /** Left margin: the widest y tick label, plus room for a rotated axis label. */
    final double leftMargin(Canvas c, Axis y, String yLabel) {
        double widest = 0;
        for (double t : y.ticks) widest = Math.max(widest, c.textWidth(y.label(t), FONT, false));
        return 10 + (yLabel.isEmpty() ? 0 : 20) + widest + 8;
    }

    /** Width the legend takes at the right (0 without entries). */
    final double legendWidth(Canvas c, List<String> names) {
        if (names.isEmpty()) return 0;
        double widest = 0;
        for (String n : names) widest = Math.max(widest, c.textWidth(n, FONT, false));
        return widest + 44;
    }

    /** Horizontal grid lines and labels at the y ticks, the rotated y label, and the axis lines. */
    final void drawYAxis(Canvas c, Axis y, Rectangle2D.Double p, String yLabel) {
        for (double t : y.ticks) {
            double py = y.map(t, p.y + p.height, p.y);
            c.line(p.x, py, p.x + p.width, py, GRID, 1f);
            c.line(p.x - 4, py, p.x, py, AXIS, 1f);
            c.text(y.label(t), p.x - 7, py + 4, TEXT, FONT, false, Canvas.Align.RIGHT, false);
        }
        if (!yLabel.isEmpty()) c.text(yLabel, 22, p.y + p.height / 2, TEXT, FONT + 1, false, Canvas.Align.CENTER, true);
    }

    /** Vertical grid lines and labels at the x ticks and the x label below. */
    final void drawXAxis(Canvas c, Axis x, Rectangle2D.Double p, String xLabel) {
        double lastRight = Double.NEGATIVE_INFINITY;
        for (double t : x.ticks) {
            double px = x.map(t, p.x, p.x + p.width);
            c.line(px, p.y, px, p.y + p.height, GRID, 1f);
            c.line(px, p.y + p.height, px, p.y + p.height + 4, AXIS, 1f);
            String s = x.label(t);
            double w = c.textWidth(s, FONT, false);
            if (px - w / 2 > lastRight + 4) { // skip labels that would overlap their neighbour
                c.text(s, px, p.y + p.height + 18, TEXT, FONT, false, Canvas.Align.CENTER, false);
                lastRight = px + w / 2;
            }
        }
        if (!xLabel.isEmpty()) c.text(xLabel, p.x + p.width / 2, p.y + p.height + 38, TEXT, FONT + 1, false, Canvas.Align.CENTER, false);
    }

    /** The left and bottom axis lines (drawn last, over the data's edges). */
    final void drawFrame(Canvas c, Rectangle2D.Double p) {
        c.line(p.x, p.y, p.x, p.y + p.height, AXIS, 1.2f);
        c.line(p.x, p.y + p.height, p.x + p.width, p.y + p.height, AXIS, 1.2f);
    }

    /** The legend at the right of the plot: a swatch (a line for line charts, a box otherwise) and the name. */
    final void drawLegend(Canvas c, Rectangle2D.Double p, List<String> names, boolean lines) {
        double x = p.x + p.width + 16;
        double y = p.y + 6;
        for (int i = 0; i < names.size(); i++) {
            Color col = Palette.color(i);
            double cy = y + i * 20;
            if (lines) c.line(x, cy, x + 20, cy, col, 3f);
            else c.fillRect(x + 4, cy - 6, 12, 12, col);
            c.text(names.get(i), x + 26, cy + 4, TEXT, FONT, false, Canvas.Align.LEFT, false);
        }
    }

    final void drawNoData(Canvas c, Rectangle2D.Double p) {
        c.text("no data", p.x + p.width / 2, p.y + p.height / 2, AXIS, FONT, false, Canvas.Align.CENTER, false);
    }
}
