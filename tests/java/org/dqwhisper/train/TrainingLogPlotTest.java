package org.dqwhisper.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.dqwhisper.report.Palette;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLogPlotTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    @TempDir
    Path dir;

    private static int pixels(BufferedImage img, int y0, int y1, Color c) {
        int n = 0;
        for (int y = y0; y < y1; y++) for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFFFFFF) == (c.getRGB() & 0xFFFFFF)) n++;
        return n;
    }

    @Test
    void curvesPngHasTheLossAboveAndWerCerBelow() throws Exception {
        TrainingLog log = new TrainingLog(dir.resolve("metrics.csv"), dir.resolve("curves.png"));
        for (int s = 1; s <= 30; s++) {
            log.addStep(new StepResult(s, 3.0 / s, 1e-4, 1.5, 8, 100, 0.1));
            if (s % 10 == 0) log.addEvaluation(s, 0.5 - s / 100.0, 0.3 - s / 200.0);
        }
        log.addEvaluation(31, 0.1, 0.05); // an evaluation row of its own: no gap in the loss curve
        log.write();
        BufferedImage img = ImageIO.read(dir.resolve("curves.png").toFile());
        assertEquals(900, img.getWidth());
        assertEquals(640, img.getHeight());
        assertTrue(pixels(img, 0, 320, Palette.color(0)) > 300, "loss curve in the top panel");
        // more than the legend's 20x3 swatch: the curves themselves
        assertTrue(pixels(img, 320, 640, Palette.color(0)) > 300, "WER in the bottom panel");
        assertTrue(pixels(img, 320, 640, Palette.color(1)) > 300, "CER in the bottom panel");
        assertEquals(0, pixels(img, 0, 320, Palette.color(1)), "nothing but the loss on top");
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals("step,loss,learning_rate,grad_norm,dev_wer,dev_cer", csv.get(0));
        assertEquals(32, csv.size());
        assertEquals("31,,,,0.100000,0.0500000", csv.get(31));
    }

    @Test
    void anEmptyLogStillPlots() {
        TrainingLog log = new TrainingLog(dir.resolve("m.csv"), dir.resolve("c.png"));
        BufferedImage img = log.plot();
        assertEquals(900, img.getWidth());
        assertEquals(640, img.getHeight());
        assertEquals(0, pixels(img, 0, 320, Palette.color(0)), "no loss curve");
        assertTrue(pixels(img, 320, 640, Palette.color(0)) < 100, "only the legend swatch below");
    }
}
