package org.dqwhisper.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BarChartTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    @TempDir
    Path dir;

    /** The x range of category {@code ci}'s group in the plot. */
    private static double[] group(BarChart c, int ci) {
        Rectangle2D p = c.plotArea;
        double w = p.getWidth() / c.categories().size();
        return new double[] {p.getX() + ci * w, p.getX() + (ci + 1) * w};
    }

    @Test
    void barHeightsFollowTheValues() {
        BarChart c = new BarChart("CER", "CER (%)", List.of("a", "b")).size(600, 400)
                .addSeries("s0", new double[] {10, 2})
                .addSeries("s1", new double[] {5, 5});
        BufferedImage img = c.toImage();
        Rectangle2D p = c.plotArea;
        double[] g0 = group(c, 0), g1 = group(c, 1);
        Color s0 = Palette.color(0), s1 = Palette.color(1);
        int tall = ChartPixels.rowsWith(img, g0[0], p.getY(), g0[1], p.getMaxY(), s0);
        int shortBar = ChartPixels.rowsWith(img, g1[0], p.getY(), g1[1], p.getMaxY(), s0);
        assertTrue(tall > shortBar, tall + " rows vs " + shortBar);
        // the axis is [0, 10]: 10 fills the plot height, 2 a fifth of it (±2 rows of edge rounding)
        assertEquals(p.getHeight(), tall, 2);
        assertEquals(p.getHeight() / 5, shortBar, 2);
        // s1 has the same value in both groups
        assertEquals(ChartPixels.rowsWith(img, g0[0], p.getY(), g0[1], p.getMaxY(), s1),
                ChartPixels.rowsWith(img, g1[0], p.getY(), g1[1], p.getMaxY(), s1), 1);
    }

    @Test
    void errorBarsSpanLowToHigh() {
        // both axes span [0, 8]: the second category's bar reaches 8
        BarChart with = new BarChart("e", "v", List.of("x", "y")).size(300, 300)
                .addSeries("s", new double[] {5, 8}, new double[] {3, Double.NaN}, new double[] {8, Double.NaN});
        BarChart without = new BarChart("e", "v", List.of("x", "y")).size(300, 300)
                .addSeries("s", new double[] {5, 8}, new double[] {Double.NaN, Double.NaN}, new double[] {Double.NaN, Double.NaN});
        for (BarChart c : List.of(with, without)) {
            BufferedImage img = c.toImage();
            Rectangle2D p = c.plotArea;
            Axis y = Axis.linear(0, 8, 6, true);
            double[] g = group(c, 0);
            double cx = (g[0] + g[1]) / 2;
            // above the bar, between 5.5 and 7.5: ink only where the error bar is
            double top = y.map(7.5, p.getMaxY(), p.getY()), bottom = y.map(5.5, p.getMaxY(), p.getY());
            boolean ink = true;
            for (int row = (int) Math.ceil(top); row < (int) bottom; row++) ink &= ChartPixels.hasDark(img, cx - 2, row, cx + 2, row + 1);
            assertEquals(c == with, ink, c == with ? "error bar drawn" : "no error bar for NaN");
        }
    }

    @Test
    void negativeValuesHangBelowZeroAndNaNDrawsNoBar() {
        BarChart c = new BarChart("delta", "Δ CER", List.of("a", "b", "c")).size(500, 300)
                .addSeries("s", new double[] {4, -4, Double.NaN});
        BufferedImage img = c.toImage();
        Rectangle2D p = c.plotArea;
        double zero = Axis.linear(-4, 4, 6, true).map(0, p.getMaxY(), p.getY());
        double[] a = group(c, 0), b = group(c, 1), n = group(c, 2);
        Color s = Palette.color(0);
        assertTrue(ChartPixels.rowsWith(img, a[0], p.getY(), a[1], zero - 1, s) > 10);
        assertEquals(0, ChartPixels.rowsWith(img, a[0], zero + 2, a[1], p.getMaxY(), s));
        assertTrue(ChartPixels.rowsWith(img, b[0], zero + 2, b[1], p.getMaxY(), s) > 10);
        assertEquals(0, ChartPixels.rowsWith(img, b[0], p.getY(), b[1], zero - 1, s));
        assertEquals(0, ChartPixels.count(img, n[0], p.getY(), n[1], p.getMaxY(), s, 0));
    }

    @Test
    void tenCategoriesByNineSeriesStayDistinct() throws Exception {
        List<String> cats = List.of("en", "de", "fr", "es", "it", "nl", "pt", "pl", "ru", "mean");
        BarChart c = new BarChart("CER per language", "CER (%)", cats);
        List<String> names = new ArrayList<>();
        for (int k = 0; k < 9; k++) {
            double[] v = new double[10];
            for (int i = 0; i < 10; i++) v[i] = 5 + k + i;
            c.addSeries("system " + k, v, v.clone(), v.clone());
            names.add("system " + k);
        }
        assertEquals(names, c.seriesNames());
        Path png = dir.resolve("bars.png");
        c.writePng(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1400, img.getWidth());
        assertEquals(600, img.getHeight());
        double[] g = group(c, 9);
        for (int k = 0; k < 9; k++) {
            // every system's bar in the last group is at least 7 px wide
            int px = ChartPixels.count(img, g[0], c.plotArea.getMaxY() - 3, g[1], c.plotArea.getMaxY() - 2, Palette.color(k), 0);
            assertTrue(px >= 7, "system " + k + ": " + px + " px wide");
        }
    }

    @Test
    void allEqualZeroValuesGiveAFiniteAxis() {
        BarChart c = new BarChart("zeros", "v", List.of("a")).addSeries("s", new double[] {0});
        BufferedImage img = c.toImage();
        assertEquals(1400, img.getWidth());
        assertFalse(c.toSvg().contains("NaN") || c.toSvg().contains("Infinity"));
    }

    @Test
    void badInputIsRejectedNamingTheChart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BarChart("CER", "v", List.of()));
        assertTrue(e.getMessage().contains("bar chart 'CER'") && e.getMessage().contains("no categories"), e.getMessage());
        List<String> withNull = new ArrayList<>(List.of("a"));
        withNull.add(null);
        e = assertThrows(IllegalArgumentException.class, () -> new BarChart("CER", "v", withNull));
        assertTrue(e.getMessage().contains("category 1 is null"), e.getMessage());
        BarChart c = new BarChart("CER", "v", List.of("a", "b"));
        e = assertThrows(IllegalArgumentException.class, c::toImage);
        assertTrue(e.getMessage().contains("bar chart 'CER': no series"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.addSeries("s", new double[] {1}));
        assertTrue(e.getMessage().contains("'s' has 1 values for 2 categories"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.addSeries(null, new double[2]));
        assertTrue(e.getMessage().contains("series name is null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.addSeries("s", new double[2], new double[2], null));
        assertTrue(e.getMessage().contains("both low and high"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.addSeries("s", new double[2], new double[1], new double[2]));
        assertTrue(e.getMessage().contains("1 low and 2 high"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.addSeries("s", new double[2], new double[] {0, 3}, new double[] {1, 2}));
        assertTrue(e.getMessage().contains("category 'b'") && e.getMessage().contains("above high"), e.getMessage());
    }
}
