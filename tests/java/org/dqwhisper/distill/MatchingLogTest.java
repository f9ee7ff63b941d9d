package org.dqwhisper.distill;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatchingLogTest {
    @TempDir
    Path dir;

    private static MatchingLog sample() {
        MatchingLog log = new MatchingLog(3, 5);
        log.record(1, new int[] {1, 3, 4});
        log.record(2, new int[] {1, 2, 4});
        log.record(3, new int[] {0, 3, 4});
        log.record(4, new int[] {1, 3, 3});
        return log;
    }

    @Test
    void countsAndCsvRoundTrip() throws IOException {
        MatchingLog log = sample();
        assertEquals(4, log.steps());
        assertArrayEquals(new int[][] {{1, 3, 0, 0, 0}, {0, 0, 1, 3, 0}, {0, 0, 0, 1, 3}}, log.frequencies());
        Path csv = dir.resolve("sub/matching.csv");
        log.writeCsv(csv);
        assertEquals("step,student_0,student_1,student_2\n1,1,3,4\n2,1,2,4\n3,0,3,4\n4,1,3,3\n", Files.readString(csv));
        MatchingLog back = MatchingLog.readCsv(csv, 3, 5);
        assertArrayEquals(log.frequencies(), back.frequencies());
        assertEquals(4, back.entries().get(3).step());
        try (var files = Files.list(csv.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void heatMapShadesByFrequency() throws IOException {
        Path png = dir.resolve("matching.png");
        sample().writeHeatMap(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "a readable PNG");
        // layout of writeHeatMap: left margin 70, top 44, cells of 32 px, 5 teacher columns, 3 student rows
        assertEquals(70 + 5 * 32 + 16, img.getWidth());
        assertEquals(44 + 3 * 32 + 44, img.getHeight());
        int never = img.getRGB(70 + 4 * 32 + 3, 44 + 3); // (0, 4): never chosen, a cell corner away from text
        int often = img.getRGB(70 + 32 + 3, 44 + 3); // (0, 1): 75 %
        int once = img.getRGB(3 + 70, 44 + 3); // (0, 0): 25 %
        assertEquals(0xFFFFFF, never & 0xFFFFFF);
        assertEquals(MatchingLog.shade(0.75).getRGB() & 0xFFFFFF, often & 0xFFFFFF);
        assertEquals(MatchingLog.shade(0.25).getRGB() & 0xFFFFFF, once & 0xFFFFFF);
        assertTrue(brightness(often) < brightness(once) && brightness(once) < brightness(never));
    }

    private static int brightness(int rgb) {
        return ((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255);
    }

    @Test
    void badMappingsAndFilesAreRejected() throws IOException {
        MatchingLog log = new MatchingLog(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> log.record(7, new int[] {0, 3}));
        assertTrue(e.getMessage().contains("step 7 maps student layer 1 to teacher layer 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> log.record(7, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> log.record(7, null));
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "step,student_0,student_1\n1,0,x\n");
        IOException io = assertThrows(IOException.class, () -> MatchingLog.readCsv(bad, 2, 3));
        assertTrue(io.getMessage().contains("line 2"), io.getMessage());
        Files.writeString(bad, "step,student_0\n1,0\n");
        assertThrows(IOException.class, () -> MatchingLog.readCsv(bad, 2, 3));
        Files.writeString(bad, "");
        assertThrows(IOException.class, () -> MatchingLog.readCsv(bad, 2, 3));
    }
}
