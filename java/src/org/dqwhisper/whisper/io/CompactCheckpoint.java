package org.dqwhisper.whisper.io;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperConfig;

/**
 * 8-bit <em>storage</em> of a full-precision model: every weight matrix (rank ≥ 2, except the fixed sinusoidal
 * {@code encoder.positional_embedding}) is kept as {@code <name>.int8} I8 codes of its own shape plus
 * {@code <name>.scale} F32 {@code [dim0]} (symmetric per row: {@code scale = max|w|/127},
 * {@code q = rint(w/scale)}); biases, LayerNorms and the positional embedding stay F32. With
 * {@code dims.json} (OpenAI dims) and {@code __metadata__ format} = {@value #FORMAT}.
 *
 * <p>Unlike {@link QuantizedCheckpoint} (integer Linears that run on the integer GEMMs), this is only a way to
 * ship a model in a quarter of its FP32 size: {@code WhisperModel.load} dequantizes every tensor to FP32 and
 * the model then trains and runs as any FP32 model (the demo's bundled teacher and student start points).
 * Rounding moves each weight by at most half a step ({@code scale/2}).
 */
public final class CompactCheckpoint implements AutoCloseable {
    public static final String FORMAT = "dq-whisper-8bit-storage-v1";
    public static final String MODEL_FILE = "model.safetensors";
    public static final String DIMS_FILE = "dims.json";
    private static final String CODES = ".int8";
    private static final String SCALE = ".scale";

    private final SafetensorsFile file;
    private final WhisperConfig config;

    private CompactCheckpoint(SafetensorsFile file, WhisperConfig config) {
        this.file = file;
        this.config = config;
    }

    /** Whether {@code path} is a folder whose model.safetensors carries this format. */
    public static boolean isCompact(Path path) throws IOException {
        Path f = path.resolve(MODEL_FILE);
        if (!Files.isDirectory(path) || !Files.isRegularFile(f)) return false;
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            return FORMAT.equals(s.metadata().get("format"));
        }
    }

    public static CompactCheckpoint open(Path folder) throws IOException {
        Path f = folder.resolve(MODEL_FILE);
        SafetensorsFile s = SafetensorsFile.open(f);
        try {
            if (!FORMAT.equals(s.metadata().get("format"))) {
                throw new CheckpointFormatException(f, "__metadata__ format is " + s.metadata().get("format") + ", expected " + FORMAT);
            }
            Path dims = folder.resolve(DIMS_FILE);
            if (!Files.isRegularFile(dims)) throw new CheckpointFormatException(dims, "missing (OpenAI model dimensions)");
            WhisperConfig config = WhisperConfigJson.readOpenAiDims(dims);
            Map<String, TensorInfo> logical = new LinkedHashMap<>();
            for (String name : s.names()) {
                if (name.endsWith(SCALE)) continue;
                TensorInfo t = s.info(name);
                String model = name.endsWith(CODES) ? name.substring(0, name.length() - CODES.length()) : name;
                logical.put(model, new TensorInfo(name, t.dtype(), t.shape()));
            }
            WhisperShapeCheck.check(logical, config, dims, f);
            return new CompactCheckpoint(s, config);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public WhisperConfig config() {
        return config;
    }

    /** Whether the model tensor {@code name} is stored (plain or as codes + scale). */
    public boolean has(String name) {
        return file.names().contains(name) || file.names().contains(name + CODES);
    }

    /** The tensor {@code name} as a new F32 tensor (dequantized when stored as 8-bit codes). */
    public Tensor tensor(String name) throws IOException {
        if (file.names().contains(name)) return file.readF32(name, name);
        if (!file.names().contains(name + CODES) || !file.names().contains(name + SCALE)) {
            throw new CheckpointFormatException(file.file(), name, "missing (neither plain nor " + name + CODES + " + " + name + SCALE + ")");
        }
        TensorInfo ci = file.info(name + CODES), si = file.info(name + SCALE);
        long[] shape = ci.shape();
        if (ci.dtype() != StorageDType.I8 || shape.length < 2 || si.dtype() != StorageDType.F32 || !si.hasShape(shape[0])) {
            throw new CheckpointFormatException(file.file(), name, "codes must be I8 of rank >= 2 with scale F32 [dim0], got " + ci.dtype() + " "
                    + Arrays.toString(shape) + " and " + si.dtype() + " " + Arrays.toString(si.shape()));
        }
        long count = 1;
        for (long d : shape) count *= d;
        if (count > Integer.MAX_VALUE - 8) throw new CheckpointFormatException(file.file(), name, "too large: " + Arrays.toString(shape));
        byte[] q;
        float[] s;
        try (Tensor codes = file.readRaw(name + CODES, name); Tensor scales = file.readF32(name + SCALE, name + SCALE)) {
            q = codes.toByteArray();
            s = scales.toFloatArray();
        }
        int rows = (int) shape[0], cols = (int) (count / rows);
        float[] v = new float[(int) count];
        for (int r = 0; r < rows; r++) {
            if (!(s[r] >= 0) || !Float.isFinite(s[r])) throw new CheckpointFormatException(file.file(), name + SCALE, "row " + r + " scale " + s[r]);
            for (int c = 0; c < cols; c++) v[r * cols + c] = q[r * cols + c] * s[r];
        }
        Tensor t = Tensor.allocate(name, DType.F32, shape);
        t.copyFrom(v);
        return t;
    }

    /** Whether {@code name} (of the given shape) is stored as 8-bit codes. */
    static boolean stored8Bit(String name, long[] shape) {
        return shape.length >= 2 && !name.equals("encoder.positional_embedding");
    }

    /**
     * Writes {@code tensors} (OpenAI names → F32 tensors, e.g. {@code WhisperModel.stateTensors()}) of a model with
     * {@code config} to {@code out} atomically (assembled beside it, then renamed; {@code out} must not exist or be
     * empty). Returns the bytes of the model file.
     */
    public static long write(Map<String, Tensor> tensors, WhisperConfig config, Path out) throws IOException {
        Path target = out.toAbsolutePath();
        if (Files.exists(target) && !(Files.isDirectory(target) && isEmpty(target))) {
            throw new FileAlreadyExistsException(target.toString(), null, "target exists and is not an empty folder");
        }
        Files.createDirectories(target.getParent());
        Path tmp = target.getParent().resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Files.createDirectory(tmp);
        List<Tensor> owned = new ArrayList<>();
        try {
            SafetensorsWriter w = new SafetensorsWriter(tmp.resolve(MODEL_FILE)).metadata("format", FORMAT);
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                String name = e.getKey();
                Tensor t = e.getValue();
                if (t.dtype() != DType.F32) throw new IllegalArgumentException("compact: tensor " + t.describe() + " is not F32");
                if (!stored8Bit(name, t.shape())) {
                    w.add(name, t);
                    continue;
                }
                float[] v = t.toFloatArray();
                int rows = (int) t.dim(0);
                byte[] q = new byte[v.length];
                float[] scale = quantizeRows(name, v, rows, q);
                Tensor codes = Tensor.of(q, t.shape());
                owned.add(codes);
                Tensor s = Tensor.of(scale, rows);
                owned.add(s);
                w.add(name + CODES, codes);
                w.add(name + SCALE, s);
            }
            w.write();
            Files.writeString(tmp.resolve(DIMS_FILE),
                    new GsonBuilder().setPrettyPrinting().create().toJson(WhisperConfigJson.toOpenAiDims(config)) + "\n", StandardCharsets.UTF_8);
            long bytes = Files.size(tmp.resolve(MODEL_FILE));
            if (Files.isDirectory(target)) Files.delete(target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException ex) {
                Files.move(tmp, target);
            }
            return bytes;
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        } finally {
            for (Tensor t : owned) t.close();
        }
    }

    /**
     * Symmetric per-row 8-bit codes of {@code v} (row-major, {@code rows} rows): {@code scale[r] = max|row r|/127},
     * {@code q = rint(v/scale)} (0 for an all-zero row); returns the scales. Shared with the quantized export's
     * token embedding.
     */
    public static float[] quantizeRows(String name, float[] v, int rows, byte[] q) {
        if (rows < 1 || v.length % rows != 0 || q.length != v.length) {
            throw new IllegalArgumentException(name + ": " + v.length + " values in " + rows + " rows, " + q.length + " codes");
        }
        int cols = v.length / rows;
        float[] scale = new float[rows];
        for (int r = 0; r < rows; r++) {
            float max = 0;
            for (int c = 0; c < cols; c++) max = Math.max(max, Math.abs(v[r * cols + c]));
            if (!Float.isFinite(max)) throw new IllegalArgumentException(name + " row " + r + " is not finite");
            scale[r] = max / 127f;
            for (int c = 0; c < cols; c++) q[r * cols + c] = max == 0 ? 0 : (byte) Math.rint(v[r * cols + c] / scale[r]);
        }
        return scale;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        } catch (IOException ignored) {
            // best effort: a leftover hidden temp folder is harmless
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
