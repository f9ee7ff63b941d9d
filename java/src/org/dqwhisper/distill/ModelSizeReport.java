package org.dqwhisper.distill;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.dqwhisper.whisper.io.WhisperCheckpoint;

/**
 * Model size per component (encoder / decoder / embeddings) of a student checkpoint, optionally against a
 * teacher, under two conventions:
 * <ul>
 *   <li><b>paper</b> (the authors' {@code get_model_size.py}): every tensor counted at 16 bits, except
 *       that in the student every decoder tensor whose OpenAI name ends in {@code .weight} (all decoder
 *       Linear weights, the LayerNorm gains and the token embedding) counts at the quantized width. The
 *       teacher is counted at FP16. For whisper-small → whisper-base at 8 bits this gives 461.07 MiB /
 *       89.13 MiB = 5.17×, which the paper reports as 5.18× (461 / 89, the sizes rounded to whole MiB
 *       first); {@link #paperRatioRoundedMiB()} reproduces that rounding.
 *   <li><b>stored</b>: each tensor at the width it has in its file, plus the real file sizes
 *       ({@link WhisperCheckpoint#files()}; the difference is headers, alignment and duplicates such as
 *       Hugging Face's tied {@code proj_out.weight}).
 * </ul>
 * Components: embeddings = {@code decoder.token_embedding.weight}, {@code decoder.positional_embedding},
 * {@code encoder.positional_embedding}; everything else by its {@code encoder.}/{@code decoder.} prefix.
 * Only shapes and stored dtypes are read; no tensor is converted.
 */
public final class ModelSizeReport {
    private static final Set<String> EMBEDDINGS = Set.of("decoder.token_embedding.weight", "decoder.positional_embedding",
            "encoder.positional_embedding");

    /** The parts a size is broken into. */
    public enum Component { ENCODER, DECODER, EMBEDDINGS }

    /** Sizes in bits per component (bits, so that sub-byte widths stay exact). */
    public record Breakdown(long encoderBits, long decoderBits, long embeddingsBits) {
        public long totalBits() {
            return encoderBits + decoderBits + embeddingsBits;
        }

        public double bytes(Component c) {
            return (c == Component.ENCODER ? encoderBits : c == Component.DECODER ? decoderBits : embeddingsBits) / 8.0;
        }

        public double totalBytes() {
            return totalBits() / 8.0;
        }

        public double totalMiB() {
            return totalBytes() / (1 << 20);
        }

        Breakdown plus(Component c, long bits) {
            return switch (c) {
                case ENCODER -> new Breakdown(encoderBits + bits, decoderBits, embeddingsBits);
                case DECODER -> new Breakdown(encoderBits, decoderBits + bits, embeddingsBits);
                case EMBEDDINGS -> new Breakdown(encoderBits, decoderBits, embeddingsBits + bits);
            };
        }
    }

    /** One checkpoint's sizes. */
    public record ModelSizes(Path source, long parameters, Breakdown paper, Breakdown stored, long fileBytes) {}

    private final ModelSizes student;
    private final ModelSizes teacher; // nullable
    private final int bits;

    private ModelSizeReport(ModelSizes student, ModelSizes teacher, int bits) {
        this.student = student;
        this.teacher = teacher;
        this.bits = bits;
    }

    /** The component of an OpenAI tensor name. */
    public static Component componentOf(String openAiName) {
        if (EMBEDDINGS.contains(openAiName)) return Component.EMBEDDINGS;
        if (openAiName.startsWith("encoder.")) return Component.ENCODER;
        if (openAiName.startsWith("decoder.")) return Component.DECODER;
        throw new IllegalArgumentException("model size: tensor '" + openAiName + "' is neither encoder nor decoder");
    }

    /**
     * The paper's convention from OpenAI names and shapes: decoder {@code .weight} tensors at
     * {@code decoderWeightBits}, everything else at 16 bits (pass 16 for the FP16 teacher).
     */
    public static Breakdown paperConvention(Map<String, long[]> shapes, int decoderWeightBits) {
        checkBits(decoderWeightBits);
        Breakdown b = new Breakdown(0, 0, 0);
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            boolean quantized = name.startsWith("decoder.") && name.endsWith(".weight");
            b = b.plus(componentOf(name), numel(e.getValue()) * (quantized ? decoderWeightBits : 16));
        }
        return b;
    }

    /** Every tensor at its stored width. */
    public static Breakdown stored(WhisperCheckpoint ckpt) {
        Breakdown b = new Breakdown(0, 0, 0);
        for (String name : ckpt.names()) b = b.plus(componentOf(name), numel(ckpt.shape(name)) * 8L * ckpt.rawDType(name).size());
        return b;
    }

    /** OpenAI name to shape of every model tensor. */
    public static Map<String, long[]> shapes(WhisperCheckpoint ckpt) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String name : ckpt.names()) m.put(name, ckpt.shape(name));
        return m;
    }

    /** Sizes of one checkpoint, the paper convention with {@code decoderWeightBits} for its decoder weights. */
    public static ModelSizes measure(WhisperCheckpoint ckpt, int decoderWeightBits) throws IOException {
        Map<String, long[]> shapes = shapes(ckpt);
        long params = 0;
        for (long[] s : shapes.values()) params += numel(s);
        long fileBytes = 0;
        for (Path f : ckpt.files()) fileBytes += Files.size(f);
        return new ModelSizes(ckpt.source(), params, paperConvention(shapes, decoderWeightBits), stored(ckpt), fileBytes);
    }

    /** The report for a student (decoder weights at {@code bits}) and an optional teacher (FP16). */
    public static ModelSizeReport of(WhisperCheckpoint student, WhisperCheckpoint teacher, int bits) throws IOException {
        if (student == null) throw new IllegalArgumentException("model size: student checkpoint is null");
        checkBits(bits);
        return new ModelSizeReport(measure(student, bits), teacher == null ? null : measure(teacher, 16), bits);
    }

    public ModelSizes student() {
        return student;
    }

    /** The teacher's sizes, or null. */
    public ModelSizes teacher() {
        return teacher;
    }

    public int bits() {
        return bits;
    }

    /** Teacher FP16 / student (paper convention); NaN without a teacher. */
    public double paperRatio() {
        return teacher == null ? Double.NaN : teacher.paper().totalBits() / (double) student.paper().totalBits();
    }

    /** {@link #paperRatio()} with both sizes rounded to whole MiB first, as the paper's 5.18× / 10.48×. */
    public double paperRatioRoundedMiB() {
        return teacher == null ? Double.NaN : roundedMiBRatio(teacher.paper(), student.paper());
    }

    /** Teacher file bytes / student file bytes; NaN without a teacher. */
    public double diskRatio() {
        return teacher == null ? Double.NaN : teacher.fileBytes() / (double) student.fileBytes();
    }

    /** {@code round(MiB(a)) / round(MiB(b))}. */
    public static double roundedMiBRatio(Breakdown a, Breakdown b) {
        return Math.round(a.totalMiB()) / (double) Math.max(1, Math.round(b.totalMiB()));
    }

    /** A plain-text table. */
    public String format() {
        StringBuilder s = new StringBuilder();
        s.append(line("student", student));
        if (teacher != null) s.append(line("teacher", teacher));
        s.append('\n').append(String.format(Locale.ROOT, "paper convention (teacher FP16; student decoder .weight tensors at %d bits,"
                + " all else FP16), MiB:%n", bits));
        s.append(header());
        s.append(row("student", student.paper()));
        if (teacher != null) {
            s.append(row("teacher", teacher.paper()));
            s.append(String.format(Locale.ROOT, "  compression %.2fx (%.2fx from sizes rounded to whole MiB, as the paper reports)%n",
                    paperRatio(), paperRatioRoundedMiB()));
        }
        s.append('\n').append("stored (tensors at their file widths), MiB:\n").append(header());
        s.append(row("student", student.stored()));
        if (teacher != null) s.append(row("teacher", teacher.stored()));
        s.append(String.format(Locale.ROOT, "  files on disk: student %.2f MiB", student.fileBytes() / 1048576.0));
        if (teacher != null) {
            s.append(String.format(Locale.ROOT, ", teacher %.2f MiB, compression %.2fx", teacher.fileBytes() / 1048576.0, diskRatio()));
        }
        return s.append('\n').toString();
    }

    /** The same content as JSON (sizes in bytes). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("bits", bits);
        o.add("student", json(student));
        if (teacher != null) {
            o.add("teacher", json(teacher));
            o.addProperty("paper_ratio", paperRatio());
            o.addProperty("paper_ratio_rounded_mib", paperRatioRoundedMiB());
            o.addProperty("disk_ratio", diskRatio());
        }
        return o;
    }

    private static JsonObject json(ModelSizes m) {
        JsonObject o = new JsonObject();
        o.addProperty("source", m.source().toString());
        o.addProperty("parameters", m.parameters());
        o.add("paper", json(m.paper()));
        o.add("stored", json(m.stored()));
        o.addProperty("file_bytes", m.fileBytes());
        return o;
    }

    private static JsonObject json(Breakdown b) {
        JsonObject o = new JsonObject();
        o.addProperty("encoder", b.bytes(Component.ENCODER));
        o.addProperty("decoder", b.bytes(Component.DECODER));
        o.addProperty("embeddings", b.bytes(Component.EMBEDDINGS));
        o.addProperty("total", b.totalBytes());
        return o;
    }

    private static String line(String role, ModelSizes m) {
        return String.format(Locale.ROOT, "%s: %s (%.1f M parameters)%n", role, m.source(), m.parameters() / 1e6);
    }

    private static String header() {
        return String.format(Locale.ROOT, "  %-10s %11s %11s %11s %11s%n", "", "encoder", "decoder", "embeddings", "total");
    }

    private static String row(String role, Breakdown b) {
        double mib = 1 << 20;
        return String.format(Locale.ROOT, "  %-10s %11.2f %11.2f %11.2f %11.2f%n", role, b.bytes(Component.ENCODER) / mib,
                b.bytes(Component.DECODER) / mib, b.bytes(Component.EMBEDDINGS) / mib, b.totalBytes() / mib);
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    private static void checkBits(int bits) {
        if (bits < 1 || bits > 32) throw new IllegalArgumentException("model size: bits must be 1..32, got " + bits);
    }
}
