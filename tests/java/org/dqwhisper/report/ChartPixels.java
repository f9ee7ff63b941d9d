package org.dqwhisper.report;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;

/** Pixel inspection for the chart tests. */
final class ChartPixels {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private ChartPixels() {}

    /** Whether the pixel is within {@code tol} per channel of {@code c}. */
    static boolean near(int rgb, Color c, int tol) {
        return Math.abs(((rgb >> 16) & 0xff) - c.getRed()) <= tol && Math.abs(((rgb >> 8) & 0xff) - c.getGreen()) <= tol
                && Math.abs((rgb & 0xff) - c.getBlue()) <= tol;
    }

    /** Pixels near {@code c} in the half-open box [x0, x1) × [y0, y1), clamped to the image. */
    static int count(BufferedImage img, double x0, double y0, double x1, double y1, Color c, int tol) {
        int n = 0;
        for (int y = Math.max(0, (int) Math.floor(y0)); y < Math.min(img.getHeight(), (int) Math.ceil(y1)); y++) {
            for (int x = Math.max(0, (int) Math.floor(x0)); x < Math.min(img.getWidth(), (int) Math.ceil(x1)); x++) {
                if (near(img.getRGB(x, y), c, tol)) n++;
            }
        }
        return n;
    }

    static int count(BufferedImage img, Rectangle2D r, Color c, int tol) {
        return count(img, r.getX(), r.getY(), r.getMaxX(), r.getMaxY(), c, tol);
    }

    /** Rows of [y0, y1) that hold at least one pixel exactly {@code c} within columns [x0, x1). */
    static int rowsWith(BufferedImage img, double x0, double y0, double x1, double y1, Color c) {
        int rows = 0;
        for (int y = Math.max(0, (int) Math.floor(y0)); y < Math.min(img.getHeight(), (int) Math.ceil(y1)); y++) {
            if (count(img, x0, y, x1, y + 1, c, 0) > 0) rows++;
        }
        return rows;
    }

    /** Whether some pixel of the box is dark (every channel below 110): text, axis or error-bar ink. */
    static boolean hasDark(BufferedImage img, double x0, double y0, double x1, double y1) {
        return count(img, x0, y0, x1, y1, new Color(40, 40, 40), 70) > 0;
    }
}
