package org.dqwhisper.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Locale;

/** {@link Canvas} that appends SVG 1.1 elements; text widths are measured with the same Java2D font as the raster. */
final class SvgCanvas implements Canvas {
    private final StringBuilder body = new StringBuilder();
    private final int width;
    private final int height;
    private final BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);

    SvgCanvas(int width, int height) {
        this.width = width;
        this.height = height;
    }

    private static String n(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String rgb(Color c) {
        return String.format(Locale.ROOT, "#%06x", c.getRGB() & 0xFFFFFF);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> b.append(ch < 0x20 ? ' ' : ch); // control characters are not allowed in XML 1.0
            }
        }
        return b.toString();
    }

    @Override
    public void fillRect(double x, double y, double w, double h, Color color) {
        body.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"").append(n(w))
                .append("\" height=\"").append(n(h)).append("\" fill=\"").append(rgb(color)).append("\"/>\n");
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, Color color, float width) {
        body.append("<line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2))
                .append("\" y2=\"").append(n(y2)).append("\" stroke=\"").append(rgb(color)).append("\" stroke-width=\"")
                .append(n(width)).append("\"/>\n");
    }

    @Override
    public void polyline(double[] xs, double[] ys, int n, Color color, float width) {
        if (n < 2) return;
        body.append("<polyline fill=\"none\" stroke=\"").append(rgb(color)).append("\" stroke-width=\"").append(n(width))
                .append("\" stroke-linejoin=\"round\" stroke-linecap=\"round\" points=\"");
        for (int i = 0; i < n; i++) body.append(i == 0 ? "" : " ").append(n(xs[i])).append(',').append(n(ys[i]));
        body.append("\"/>\n");
    }

    @Override
    public void fillCircle(double cx, double cy, double r, Color color) {
        body.append("<circle cx=\"").append(n(cx)).append("\" cy=\"").append(n(cy)).append("\" r=\"").append(n(r))
                .append("\" fill=\"").append(rgb(color)).append("\"/>\n");
    }

    @Override
    public void text(String s, double x, double y, Color color, int size, boolean bold, Align align, boolean vertical) {
        String anchor = align == Align.LEFT ? "start" : align == Align.CENTER ? "middle" : "end";
        body.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" font-size=\"").append(size)
                .append("\" text-anchor=\"").append(anchor).append("\" fill=\"").append(rgb(color)).append('"');
        if (bold) body.append(" font-weight=\"bold\"");
        if (vertical) body.append(" transform=\"rotate(-90 ").append(n(x)).append(' ').append(n(y)).append(")\"");
        body.append('>').append(escape(s)).append("</text>\n");
    }

    @Override
    public double textWidth(String s, int size, boolean bold) {
        Graphics2D g = scratch.createGraphics();
        try {
            return g.getFontMetrics(RasterCanvas.font(size, bold)).stringWidth(s);
        } finally {
            g.dispose();
        }
    }

    /** The finished document. */
    String document() {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width
                + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " " + height
                + "\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\">\n" + body + "</svg>\n";
    }
}
