package org.dqwhisper.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class LineChartTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    // Lines are 2 px wide and anti-aliased: every column of a line has at least one fully covered pixel,
    // but partly covered ones blend towards white, so colours are matched within 24 per channel.
    private static final int TOL = 24;

    @TempDir
    Path dir;

    private static double[] range(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i;
        return x;
    }

    @Test
    void writesADecodablePngOfTheRequestedSizeWithEverySeriesInThePlot() throws Exception {
        LineChart c = new LineChart("loss", "step", "loss").size(640, 360);
        for (int k = 0; k < 8; k++) {
            double[] y = new double[100];
            for (int i = 0; i < 100; i++) y[i] = (1 + k) * Math.exp(-i / 30.0) + 0.1;
            c.addSeries("system " + k, range(100), y);
        }
        Path png = dir.resolve("loss.png");
        c.writePng(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(360, img.getHeight());
        Rectangle2D p = c.plotArea;
        for (int k = 0; k < 8; k++) {
            assertTrue(ChartPixels.count(img, p, Palette.color(k), TOL) > 50, "series " + k + " drawn in the plot");
        }
        assertEquals(0, ChartPixels.count(img, p, Palette.color(8), 4), "no ninth series colour");
    }

    @Test
    void aNaNPointLeavesAGapAndTheRestIsStillDrawn() {
        double[] y = {1, 1, Double.NaN, 1, 1};
        LineChart c = new LineChart("gap", "x", "y").size(500, 300).addSeries("s", range(5), y);
        BufferedImage img = c.toImage();
        Rectangle2D p = c.plotArea;
        Axis x = Axis.linear(0, 4, 8, false);
        double inGap = x.map(2, p.getX(), p.getMaxX());
        double onLine = x.map(0.5, p.getX(), p.getMaxX());
        Color col = Palette.color(0);
        assertTrue(ChartPixels.count(img, onLine - 1, p.getY(), onLine + 1, p.getMaxY(), col, TOL) > 0, "line between 0 and 1");
        assertEquals(0, ChartPixels.count(img, inGap - 1, p.getY(), inGap + 1, p.getMaxY(), col, TOL), "gap at the NaN point");
        double rightPart = x.map(3.5, p.getX(), p.getMaxX());
        assertTrue(ChartPixels.count(img, rightPart - 1, p.getY(), rightPart + 1, p.getMaxY(), col, TOL) > 0, "line after the gap");
    }

    @Test
    void infiniteValuesAreSkippedAndDoNotStretchTheAxis() {
        double[] x = {0, 1, 2, Double.NaN, 4};
        double[] y = {2, Double.POSITIVE_INFINITY, 3, Double.NEGATIVE_INFINITY, 4};
        LineChart c = new LineChart("inf", "x", "y").addSeries("s", x, y);
        BufferedImage img = c.toImage();
        Rectangle2D p = c.plotArea;
        // the drawable points (0, 2), (2, 3), (4, 4) are isolated dots on axes fitted to them alone
        Axis ax = Axis.linear(0, 4, 8, false), ay = Axis.linear(2, 4, 6, false);
        for (int i : new int[] {0, 2, 4}) {
            double px = ax.map(x[i], p.getX(), p.getMaxX()), py = ay.map(y[i], p.getMaxY(), p.getY());
            assertTrue(ChartPixels.count(img, px - 3, py - 3, px + 3, py + 3, Palette.color(0), TOL) >= 4, "dot at x=" + x[i]);
        }
        double between = ax.map(1, p.getX(), p.getMaxX());
        assertEquals(0, ChartPixels.count(img, between - 1, p.getY(), between + 1, p.getMaxY(), Palette.color(0), TOL), "no line");
    }

    @Test
    void aSinglePointAndEqualValuesStillDraw() {
        LineChart one = new LineChart("one", "x", "y").addSeries("s", new double[] {5}, new double[] {2});
        BufferedImage img = one.toImage();
        assertTrue(ChartPixels.count(img, one.plotArea, Palette.color(0), TOL) >= 9, "a dot for the single point");

        LineChart flat = new LineChart("flat", "x", "y").addSeries("s", new double[] {1, 1, 1}, new double[] {7, 7, 7});
        BufferedImage f = flat.toImage();
        assertTrue(ChartPixels.count(f, flat.plotArea, Palette.color(0), TOL) > 0);
    }

    @Test
    void xRangeWidensTheAxis() {
        LineChart c = new LineChart("r", "step", "v").size(400, 300).xRange(0, 100)
                .addSeries("s", new double[] {50, 100}, new double[] {1, 2});
        BufferedImage img = c.toImage();
        Rectangle2D p = c.plotArea;
        // the series starts halfway: nothing in the left 45 % of the plot, the line right of the middle
        assertEquals(0, ChartPixels.count(img, p.getX() + 2, p.getY(), p.getX() + 0.45 * p.getWidth(), p.getMaxY() - 2,
                Palette.color(0), TOL));
        assertTrue(ChartPixels.count(img, p.getCenterX() + 5, p.getY(), p.getMaxX(), p.getMaxY(), Palette.color(0), TOL) > 50);
    }

    @Test
    void allMissingDrawsAnEmptyPlot() {
        LineChart c = new LineChart("nothing yet", "x", "y").addSeries("s", new double[] {Double.NaN}, new double[] {Double.NaN});
        BufferedImage img = c.toImage();
        assertEquals(0, ChartPixels.count(img, c.plotArea, Palette.color(0), TOL));
        assertTrue(ChartPixels.hasDark(img, c.plotArea.getX() + 10, c.plotArea.getY(), c.plotArea.getMaxX(), c.plotArea.getMaxY() - 10),
                "the 'no data' note");
    }

    @Test
    void logYSkipsNonPositiveValuesAndSpansDecades() {
        double[] y = {100, 10, 0, -1, 1, 0.1};
        LineChart c = new LineChart("log", "step", "loss").logY(true).addSeries("s", range(6), y);
        BufferedImage img = c.toImage();
        Rectangle2D p = c.plotArea;
        Axis x = Axis.linear(0, 5, 8, false);
        // the axis spans the three decades [0.1, 100]; halfway from 100 (top) to 10 (2/3 up) the line sits 5/6 up
        double px = x.map(0.5, p.getX(), p.getMaxX());
        double py = p.getMaxY() - 5.0 / 6 * p.getHeight();
        assertTrue(ChartPixels.count(img, px - 1, py - 3, px + 1, py + 3, Palette.color(0), TOL) > 0, "log-scaled segment");
        assertEquals(0, ChartPixels.count(img, x.map(2.5, p.getX(), p.getMaxX()) - 1, p.getY(), x.map(2.5, p.getX(), p.getMaxX()) + 1,
                p.getMaxY(), Palette.color(0), TOL), "gap where y <= 0");
    }

    @Test
    void atomicWriteReplacesTheFileAndLeavesNoTemporaryFile() throws Exception {
        Path png = dir.resolve("sub/curves.png");
        LineChart c = new LineChart("t", "x", "y").size(300, 200).addSeries("s", range(3), new double[] {1, 2, 3});
        c.writePng(png);
        c.size(320, 210).writePng(png);
        c.writeSvg(dir.resolve("sub/curves.svg"));
        try (Stream<Path> files = Files.list(png.getParent())) {
            assertEquals(List.of("curves.png", "curves.svg"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(png)));
        assertEquals(320, img.getWidth());
        assertEquals(210, img.getHeight());
    }

    @Test
    void svgIsWellFormedWithOneLinePerRun() throws Exception {
        LineChart c = new LineChart("a <b> & \"c\"", "x", "y")
                .addSeries("s1", range(5), new double[] {1, 2, Double.NaN, 4, 5})
                .addSeries("s2", range(5), new double[] {2, 3, 4, 5, 6});
        String svg = c.toSvg();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes("UTF-8")));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertEquals(3, doc.getElementsByTagName("polyline").getLength(), "s1 in two runs, s2 in one");
        assertTrue(svg.contains("a &lt;b&gt; &amp; &quot;c&quot;"));
    }

    @Test
    void badInputIsRejectedNamingTheChart() {
        LineChart c = new LineChart("dev CER", "step", "CER");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::toImage);
        assertTrue(e.getMessage().contains("line chart 'dev CER'") && e.getMessage().contains("no series"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.addSeries("s", new double[0], new double[0]));
        assertTrue(e.getMessage().contains("'dev CER'") && e.getMessage().contains("'s' is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.addSeries("s", new double[2], new double[3]));
        assertTrue(e.getMessage().contains("2 x values but 3 y values"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.addSeries(null, new double[1], new double[1]));
        assertTrue(e.getMessage().contains("name is null"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.addSeries("s", null, new double[1]));
        c.addSeries("s", new double[1], new double[1]);
        e = assertThrows(IllegalArgumentException.class, () -> c.addSeries("s", new double[1], new double[1]));
        assertTrue(e.getMessage().contains("added twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.xRange(2, 1));
        assertTrue(e.getMessage().contains("x range [2.0, 1.0]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.size(10, 10));
        assertTrue(e.getMessage().contains("10x10"), e.getMessage());
    }
}
