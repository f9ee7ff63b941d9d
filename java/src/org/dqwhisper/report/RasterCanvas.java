package org.dqwhisper.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;

/** {@link Canvas} over a Java2D {@link Graphics2D} (anti-aliased). */
final class RasterCanvas implements Canvas {
    private final Graphics2D g;

    RasterCanvas(Graphics2D g) {
        this.g = g;
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    }

    static Font font(int size, boolean bold) {
        return new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size);
    }

    @Override
    public void fillRect(double x, double y, double w, double h, Color color) {
        g.setColor(color);
        g.fill(new Rectangle2D.Double(x, y, w, h));
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, Color color, float width) {
        g.setColor(color);
        g.setStroke(new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND));
        g.draw(new Line2D.Double(x1, y1, x2, y2));
    }

    @Override
    public void polyline(double[] xs, double[] ys, int n, Color color, float width) {
        if (n < 2) return;
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xs[0], ys[0]);
        for (int i = 1; i < n; i++) p.lineTo(xs[i], ys[i]);
        g.setColor(color);
        g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(p);
    }

    @Override
    public void fillCircle(double cx, double cy, double r, Color color) {
        g.setColor(color);
        g.fill(new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r));
    }

    @Override
    public void text(String s, double x, double y, Color color, int size, boolean bold, Align align, boolean vertical) {
        Font f = font(size, bold);
        g.setFont(f);
        g.setColor(color);
        double w = g.getFontMetrics().stringWidth(s);
        double shift = align == Align.LEFT ? 0 : align == Align.CENTER ? -w / 2 : -w;
        AffineTransform saved = g.getTransform();
        try {
            g.translate(x, y);
            if (vertical) g.rotate(-Math.PI / 2);
            g.drawString(s, (float) shift, 0f);
        } finally {
            g.setTransform(saved);
        }
    }

    @Override
    public double textWidth(String s, int size, boolean bold) {
        return g.getFontMetrics(font(size, bold)).stringWidth(s);
    }
}
