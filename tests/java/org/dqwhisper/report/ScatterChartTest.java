package org.dqwhisper.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScatterChartTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    @TempDir
    Path dir;

    @Test
    void pointsLandInTheirQuadrantsOnALogXAxis() throws Exception {
        ScatterChart c = new ScatterChart("size vs CER", "size (MB)", "CER (%)").logX(true).size(700, 500)
                .addPoint("small", 10, 20, 1)
                .addPoint("large", 1000, 5)
                .addPoint("skipped", -1, 3) // x ≤ 0 on a log axis
                .addPoint("nan", Double.NaN, 3);
        Path png = dir.resolve("scatter.png");
        c.writePng(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(700, img.getWidth());
        assertEquals(500, img.getHeight());
        Rectangle2D p = c.plotArea;
        double midX = p.getCenterX(), midY = p.getCenterY();
        // filled discs of radius 5: their middle pixels are exactly the palette colour
        assertTrue(ChartPixels.count(img, p.getX(), p.getY(), midX, midY, Palette.color(0), 0) >= 9, "small: upper left");
        assertTrue(ChartPixels.count(img, midX, midY, p.getMaxX(), p.getMaxY(), Palette.color(1), 0) >= 9, "large: lower right");
        assertEquals(0, ChartPixels.count(img, p, Palette.color(2), 0), "x ≤ 0 skipped on the log axis");
        assertEquals(0, ChartPixels.count(img, p, Palette.color(3), 0), "NaN skipped");
    }

    @Test
    void aSinglePointGetsFiniteAxes() {
        ScatterChart c = new ScatterChart("one", "x", "y").addPoint("only", 3, 3);
        BufferedImage img = c.toImage();
        Rectangle2D p = c.plotArea;
        // the point sits in the middle of a range padded around it
        assertTrue(ChartPixels.count(img, p.getCenterX() - 8, p.getCenterY() - 8, p.getCenterX() + 8, p.getCenterY() + 8,
                Palette.color(0), 0) >= 9);
        String svg = c.toSvg();
        assertTrue(svg.contains(">only</text>") && !svg.contains("NaN") && !svg.contains("Infinity"));
    }

    @Test
    void badInputIsRejectedNamingTheChart() {
        ScatterChart c = new ScatterChart("size", "x", "y");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::toSvg);
        assertTrue(e.getMessage().contains("scatter chart 'size': no points"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.addPoint(null, 1, 1));
        assertTrue(e.getMessage().contains("point name is null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.addPoint("p", 1, 1, -0.5));
        assertTrue(e.getMessage().contains("'p' has a negative y error"), e.getMessage());
    }
}
