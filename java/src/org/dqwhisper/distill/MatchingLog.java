package org.dqwhisper.distill;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layer mapping chosen at every training step ({@link DynamicLayerMatcher#match}), with a CSV
 * record ({@code step,student_0,...}: the teacher layer of each student layer) and a PNG heat map of how
 * often each (student, teacher) pair was chosen. Files are written to a temporary sibling and moved
 * into place, so a reader never sees half a file. Not thread-safe.
 */
public final class MatchingLog {
    private static final Logger LOG = LoggerFactory.getLogger(MatchingLog.class);
    private static final int CELL = 32;

    /** One step's mapping. */
    public record Entry(long step, int[] mapping) {}

    private final int studentLayers;
    private final int teacherLayers;
    private final List<Entry> entries = new ArrayList<>();

    public MatchingLog(int studentLayers, int teacherLayers) {
        if (studentLayers < 1 || teacherLayers < 1) {
            throw new IllegalArgumentException("matching log: need at least one student and one teacher layer");
        }
        this.studentLayers = studentLayers;
        this.teacherLayers = teacherLayers;
    }

    public int studentLayers() {
        return studentLayers;
    }

    public int teacherLayers() {
        return teacherLayers;
    }

    /** Records the mapping of a step ({@code int[N_S]}, each in [0, N_T); copied). */
    public void record(long step, int[] mapping) {
        if (mapping == null || mapping.length != studentLayers) {
            throw new IllegalArgumentException("matching log: step " + step + " has a mapping of "
                    + (mapping == null ? "null" : mapping.length + " layers") + ", expected " + studentLayers);
        }
        for (int i = 0; i < mapping.length; i++) {
            if (mapping[i] < 0 || mapping[i] >= teacherLayers) {
                throw new IllegalArgumentException("matching log: step " + step + " maps student layer " + i + " to teacher layer "
                        + mapping[i] + ", outside [0, " + teacherLayers + ")");
            }
        }
        entries.add(new Entry(step, mapping.clone()));
    }

    public int steps() {
        return entries.size();
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** counts[i][j]: how many recorded steps mapped student layer i to teacher layer j. */
    public int[][] frequencies() {
        int[][] f = new int[studentLayers][teacherLayers];
        for (Entry e : entries) for (int i = 0; i < studentLayers; i++) f[i][e.mapping()[i]]++;
        return f;
    }

    /** Writes {@code step,student_0,...,student_{N_S-1}} and one line per recorded step. */
    public void writeCsv(Path file) throws IOException {
        StringBuilder b = new StringBuilder("step");
        for (int i = 0; i < studentLayers; i++) b.append(",student_").append(i);
        b.append('\n');
        for (Entry e : entries) {
            b.append(e.step());
            for (int t : e.mapping()) b.append(',').append(t);
            b.append('\n');
        }
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        writeAtomically(file, out -> out.write(bytes));
    }

    /** Reads a CSV written by {@link #writeCsv} (to resume a run); the layer counts come from the caller. */
    public static MatchingLog readCsv(Path file, int studentLayers, int teacherLayers) throws IOException {
        MatchingLog log = new MatchingLog(studentLayers, teacherLayers);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).startsWith("step")) throw new IOException(file + ": not a matching log (no header)");
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) continue;
            String[] f = lines.get(n).split(",");
            if (f.length != studentLayers + 1) {
                throw new IOException(file + " line " + (n + 1) + ": " + (f.length - 1) + " student layers, expected " + studentLayers);
            }
            try {
                int[] m = new int[studentLayers];
                for (int i = 0; i < studentLayers; i++) m[i] = Integer.parseInt(f[i + 1].trim());
                log.record(Long.parseLong(f[0].trim()), m);
            } catch (IllegalArgumentException e) { // NumberFormatException included
                throw new IOException(file + " line " + (n + 1) + ": " + e.getMessage(), e);
            }
        }
        return log;
    }

    /**
     * A heat map: one row per student layer, one column per teacher layer, the cell's darkness the share
     * of steps that chose the pair (white 0 %, dark blue 100 %), with the percentage written in it.
     */
    public void writeHeatMap(Path file) throws IOException {
        int left = 70, top = 44, right = 16, bottom = 44;
        int w = left + teacherLayers * CELL + right, h = top + studentLayers * CELL + bottom;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            int[][] f = frequencies();
            int steps = Math.max(1, entries.size());
            for (int i = 0; i < studentLayers; i++) {
                for (int j = 0; j < teacherLayers; j++) {
                    g.setColor(shade((double) f[i][j] / steps));
                    g.fillRect(left + j * CELL, top + i * CELL, CELL, CELL);
                }
            }
            g.setColor(Color.LIGHT_GRAY);
            for (int i = 0; i <= studentLayers; i++) g.drawLine(left, top + i * CELL, left + teacherLayers * CELL, top + i * CELL);
            for (int j = 0; j <= teacherLayers; j++) g.drawLine(left + j * CELL, top, left + j * CELL, top + studentLayers * CELL);
            drawLabels(g, f, steps, left, top, w, h);
        } finally {
            g.dispose();
        }
        writeAtomically(file, out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer available");
        });
    }

    private void drawLabels(Graphics2D g, int[][] f, int steps, int left, int top, int w, int h) {
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            FontMetrics fm = g.getFontMetrics();
            g.setColor(Color.BLACK);
            g.drawString("layer matching over " + entries.size() + " steps", left, 16);
            g.drawString("teacher layer", left + (teacherLayers * CELL - fm.stringWidth("teacher layer")) / 2, h - 8);
            g.drawString("student", 4, top - 6);
            for (int j = 0; j < teacherLayers; j++) {
                String s = String.valueOf(j);
                g.drawString(s, left + j * CELL + (CELL - fm.stringWidth(s)) / 2, top + studentLayers * CELL + 14);
            }
            for (int i = 0; i < studentLayers; i++) {
                String s = String.valueOf(i);
                g.drawString(s, left - 8 - fm.stringWidth(s), top + i * CELL + (CELL + fm.getAscent()) / 2 - 2);
                for (int j = 0; j < teacherLayers; j++) {
                    if (f[i][j] == 0) continue;
                    double share = (double) f[i][j] / steps;
                    String p = Math.round(100 * share) + "%";
                    g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
                    g.drawString(p, left + j * CELL + (CELL - fm.stringWidth(p)) / 2, top + i * CELL + (CELL + fm.getAscent()) / 2 - 2);
                }
                g.setColor(Color.BLACK);
            }
        } catch (RuntimeException | LinkageError e) { // a JVM without usable fonts: keep the unlabelled map
            LOG.warn("matching heat map: cannot draw text ({}); writing the map without labels", e.toString());
        }
    }

    /** White (0) to dark blue (1). */
    static Color shade(double share) {
        double s = Math.max(0, Math.min(1, share));
        return new Color((int) Math.round(255 - s * (255 - 8)), (int) Math.round(255 - s * (255 - 48)),
                (int) Math.round(255 - s * (255 - 107)));
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static void writeAtomically(Path file, Writer writer) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.write(out);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String toString() {
        return "matching log " + studentLayers + "x" + teacherLayers + ", " + entries.size() + " steps, frequencies "
                + Arrays.deepToString(frequencies());
    }
}
