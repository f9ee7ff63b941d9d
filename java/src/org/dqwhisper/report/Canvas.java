package org.dqwhisper.report;

import java.awt.Color;

/**
 * The few drawing operations the charts need, so that one layout can be drawn both to a raster
 * ({@link RasterCanvas}) and to SVG text ({@link SvgCanvas}). Coordinates are pixels, origin top left.
 */
interface Canvas {
    /** Horizontal placement of a text relative to its anchor point. */
    enum Align { LEFT, CENTER, RIGHT }

    void fillRect(double x, double y, double w, double h, Color color);

    void line(double x1, double y1, double x2, double y2, Color color, float width);

    /** A connected line through the first {@code n} points. */
    void polyline(double[] xs, double[] ys, int n, Color color, float width);

    void fillCircle(double cx, double cy, double r, Color color);

    /**
     * Text whose baseline starts (LEFT), is centred (CENTER) or ends (RIGHT) at (x, y); {@code vertical}
     * rotates it 90° counter-clockwise about (x, y) (for a y-axis label).
     */
    void text(String s, double x, double y, Color color, int size, boolean bold, Align align, boolean vertical);

    /** The advance width of {@code s} in pixels at the given font size. */
    double textWidth(String s, int size, boolean bold);
}
