package org.dqwhisper.distill;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.dqwhisper.kernels.NativeInt4Weights;
import org.dqwhisper.nn.Linear;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.quant.FakeQuant;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.quant.QuantConfig.Granularity;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.QuantizedCheckpoint;
import org.dqwhisper.whisper.io.SafetensorsWriter;
import org.dqwhisper.whisper.io.WhisperConfigJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a model whose fake-quantized block Linears ({@link WhisperModel#enableFakeQuant}) become
 * integer codes + scales, in the format {@link QuantizedCheckpoint} documents (and
 * {@code WhisperModel.load} runs on {@code Int8Gemm}/{@code Int4Gemm}); every other tensor is F32
 * under its OpenAI name, with {@code dims.json}. The export uses the codes and scales of each
 * quantizer's forward on the current weight, so the loaded model computes what the fake-quant
 * forward computes (inputs quantized per row, as the integer GEMMs always do).
 *
 * <p>Exportable: symmetric weights without the signed-max quirk; 5–8 bits with one scale per tensor
 * or channel (INT8 storage), ≤ 4 bits with any granularity (INT4 storage, group a multiple of 4).
 * Atomic: the folder is assembled beside the target and renamed onto it; the target must not exist
 * or be an empty folder.
 */
public final class QuantizedExport {
    /** Stored as 8-bit codes + per-row scales when asked (see {@link #addEmbedding}). */
    public static final String TOKEN_EMBEDDING = "decoder.token_embedding.weight";
    private static final Logger LOG = LoggerFactory.getLogger(QuantizedExport.class);

    private QuantizedExport() {}

    /** Post-training quantization: fake-quantizes {@code model}'s Linears under {@code config}, then {@link #write}s it. */
    public static int quantizeAndWrite(WhisperModel model, QuantConfig config, Path out) throws IOException {
        return quantizeAndWrite(model, config, out, false);
    }

    /** {@link #quantizeAndWrite(WhisperModel, QuantConfig, Path)} with the token embedding in 8-bit storage when asked. */
    public static int quantizeAndWrite(WhisperModel model, QuantConfig config, Path out, boolean int8Embedding) throws IOException {
        if (!config.enabled()) throw new IllegalArgumentException("quantize: config 'none' quantizes nothing");
        int n = model.enableFakeQuant(config, false);
        write(model, config, out, int8Embedding);
        return n;
    }

    /** Writes {@code model} with its fake-quantized Linears as integers; {@code config} is recorded as metadata. */
    public static void write(WhisperModel model, QuantConfig config, Path out) throws IOException {
        write(model, config, out, false);
    }

    /**
     * {@link #write(WhisperModel, QuantConfig, Path)}, with {@code int8Embedding} also storing the token embedding as
     * 8-bit codes + per-row scales (a quarter of its FP32 bytes; the loaded model then differs from the fake-quant
     * forward by that rounding too).
     */
    public static void write(WhisperModel model, QuantConfig config, Path out, boolean int8Embedding) throws IOException {
        checkExportable(config);
        Path target = out.toAbsolutePath();
        if (Files.exists(target) && !(Files.isDirectory(target) && isEmpty(target))) {
            throw new FileAlreadyExistsException(target.toString(), null, "export target exists and is not an empty folder");
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Files.createDirectory(tmp);
        List<Tensor> owned = new ArrayList<>();
        try {
            SafetensorsWriter w = new SafetensorsWriter(tmp.resolve(QuantizedCheckpoint.MODEL_FILE))
                    .metadata("format", QuantizedCheckpoint.FORMAT).metadata("quant", config.toString());
            Map<String, Linear> linears = model.blockLinears();
            int quantized = 0;
            for (Map.Entry<String, Tensor> e : model.stateTensors().entrySet()) {
                String name = e.getKey();
                Linear l = name.endsWith(".weight") ? linears.get(name.substring(0, name.length() - 7)) : null;
                if (l != null && l.fakeQuant() != null) {
                    addQuantized(w, l, owned);
                    quantized++;
                } else if (int8Embedding && name.equals(TOKEN_EMBEDDING)) {
                    addEmbedding(w, name, e.getValue(), owned);
                } else {
                    w.add(name, e.getValue());
                }
            }
            w.write();
            Files.writeString(tmp.resolve(QuantizedCheckpoint.DIMS_FILE),
                    new GsonBuilder().setPrettyPrinting().create().toJson(WhisperConfigJson.toOpenAiDims(model.config())) + "\n",
                    StandardCharsets.UTF_8);
            if (Files.isDirectory(target)) Files.delete(target); // empty (checked above)
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException ex) {
                Files.move(tmp, target);
            }
            LOG.info("wrote {} ({} quantized Linear weights, {})", target, quantized, config);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        } finally {
            for (Tensor t : owned) t.close();
        }
    }

    /**
     * The tied token embedding [n_vocab, d] as 8-bit codes with one symmetric scale per row (rint(w/scale), scale =
     * max|w|/127): the paper's size convention counts it at the decoder's width, and at FP32 it would dominate the
     * export of a small student. The loader dequantizes it (lookup and logits); under INT8 precision the logits GEMM
     * re-derives exactly these codes (same per-row abs-max).
     */
    private static void addEmbedding(SafetensorsWriter w, String name, Tensor e, List<Tensor> owned) {
        e.requireShape(DType.F32, -1, -1);
        int n = (int) e.dim(0), k = (int) e.dim(1);
        float[] v = e.toFloatArray();
        byte[] q = new byte[v.length];
        float[] scale = org.dqwhisper.whisper.io.CompactCheckpoint.quantizeRows(name, v, n, q);
        Tensor codes = Tensor.of(q, n, k);
        owned.add(codes);
        w.add(name + ".int8", codes);
        w.add(name + ".scale", own(owned, name + ".scale", scale, n));
    }

    private static void addQuantized(SafetensorsWriter w, Linear l, List<Tensor> owned) {
        l.prepare(Precision.FP32); // runs the quantizer's forward on the current weight
        FakeQuant fq = l.fakeQuant();
        QuantConfig c = fq.config();
        checkExportable(c);
        int n = l.out(), k = l.in();
        Tensor codes = Tensor.allocate(l.name() + ".weight codes", DType.S8, n, k);
        owned.add(codes);
        fq.codes(l.weight(), codes);
        float[] s = fq.scale().toFloatArray();
        if (c.weightBits() > 4) {
            float[] perRow = new float[n];
            for (int i = 0; i < n; i++) perRow[i] = c.granularity() == Granularity.PER_TENSOR ? s[0] : s[i];
            w.add(l.name() + ".weight.int8", codes);
            w.add(l.name() + ".weight.scale", own(owned, l.name() + ".weight.scale", perRow, n));
        } else {
            int groups = c.granularity() == Granularity.PER_GROUP ? (int) c.scaleShape(n, k)[1] : 1;
            float[] g = new float[n * groups];
            for (int i = 0; i < g.length; i++) g[i] = c.granularity() == Granularity.PER_TENSOR ? s[0] : s[i];
            Tensor nibbles = NativeInt4Weights.packNibbles(codes);
            owned.add(nibbles);
            w.add(l.name() + ".weight.int4", nibbles);
            w.add(l.name() + ".weight.scale", own(owned, l.name() + ".weight.scale", g, n, groups));
        }
    }

    private static Tensor own(List<Tensor> owned, String name, float[] v, long... shape) {
        Tensor t = Tensor.allocate(name, DType.F32, shape);
        owned.add(t);
        t.copyFrom(v);
        return t;
    }

    /** Throws {@link IllegalArgumentException} naming why {@code c} has no integer form here. */
    public static void checkExportable(QuantConfig c) {
        String problem = c.integerFormProblem();
        if (problem != null) throw new IllegalArgumentException("export: " + problem);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove temporary export folder {}: {}", dir, e.toString());
        }
    }
}
