package org.dqwhisper.whisper.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperConfig;

/**
 * A model folder with integer Linear weights, as {@code org.dqwhisper.distill.QuantizedExport} writes it:
 * {@code dims.json} (OpenAI dims) and {@code model.safetensors} with {@code __metadata__}
 * {@code quant} = the {@link QuantConfig} spec and {@code format} = {@value #FORMAT}. Tensors use
 * OpenAI names; every tensor is F32 except each quantized Linear weight {@code <p>.weight [N,K]}, stored as
 * <ul>
 *   <li>8-bit: {@code <p>.weight.int8} I8 {@code [N,K]} (codes in [−127,127]) and {@code <p>.weight.scale}
 *       F32 {@code [N]} (per channel; a per-tensor scale is repeated), {@code W ≈ q·scale[n]};</li>
 *   <li>≤ 4-bit: {@code <p>.weight.int4} U8 {@code [N, ceil(K/2)]} (two codes per byte, element k in the low
 *       nibble when k is even, high nibble when odd, two's complement) and {@code <p>.weight.scale} F32
 *       {@code [N, groups]}, groups of {@code QuantConfig.segmentLength(K)} input features,
 *       {@code W[n,k] ≈ q·scale[n, k / G]}.</li>
 * </ul>
 * Optionally the token embedding is stored the same 8-bit way ({@code decoder.token_embedding.weight.int8} +
 * {@code .scale} [n_vocab]); it is dequantized on load (lookup and tied logits).
 * The integer GEMMs quantize their inputs per row (dynamic symmetric 8-bit) whatever the config says.
 */
public final class QuantizedCheckpoint implements AutoCloseable {
    public static final String FORMAT = "dq-whisper-quantized-v1";
    public static final String MODEL_FILE = "model.safetensors";
    public static final String DIMS_FILE = "dims.json";

    /** One quantized Linear weight: codes (S8 [N,K] for 8-bit, U8 nibbles [N, ceil(K/2)] for 4-bit) and scales. */
    public record QuantizedWeight(String name, int bits, int n, int k, int group, Tensor codes, Tensor scales) {}

    private final Path folder;
    private final SafetensorsFile file;
    private final WhisperConfig config;
    private final QuantConfig quant;

    private QuantizedCheckpoint(Path folder, SafetensorsFile file, WhisperConfig config, QuantConfig quant) {
        this.folder = folder;
        this.file = file;
        this.config = config;
        this.quant = quant;
    }

    /** Whether {@code path} is a folder whose model.safetensors carries this format's metadata. */
    public static boolean isQuantized(Path path) throws IOException {
        Path f = path.resolve(MODEL_FILE);
        if (!Files.isDirectory(path) || !Files.isRegularFile(f)) return false;
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            return FORMAT.equals(s.metadata().get("format"));
        }
    }

    public static QuantizedCheckpoint open(Path folder) throws IOException {
        Path f = folder.resolve(MODEL_FILE);
        SafetensorsFile s = SafetensorsFile.open(f);
        try {
            if (!FORMAT.equals(s.metadata().get("format"))) {
                throw new CheckpointFormatException(f, "__metadata__ format is " + s.metadata().get("format") + ", expected " + FORMAT);
            }
            String spec = s.metadata().get("quant");
            if (spec == null) throw new CheckpointFormatException(f, "__metadata__ has no 'quant' spec");
            QuantConfig q;
            try {
                q = QuantConfig.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new CheckpointFormatException(f, "__metadata__ quant: " + e.getMessage());
            }
            Path dims = folder.resolve(DIMS_FILE);
            if (!Files.isRegularFile(dims)) throw new CheckpointFormatException(dims, "missing (OpenAI model dimensions)");
            WhisperConfig config = WhisperConfigJson.readOpenAiDims(dims);
            WhisperShapeCheck.check(logicalShapes(s, config), config, dims, f);
            return new QuantizedCheckpoint(folder, s, config, q);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Every model tensor under its OpenAI name with its logical shape: a quantized weight {@code [N, K]} (for
     * 4-bit codes {@code [N, ceil(K/2)]}, K is the config's when it fits the packed width, else twice that width).
     */
    private static Map<String, TensorInfo> logicalShapes(SafetensorsFile s, WhisperConfig config) {
        Map<String, TensorInfo> logical = new LinkedHashMap<>();
        for (String name : s.names()) {
            if (name.endsWith(".weight.scale")) continue;
            TensorInfo t = s.info(name);
            long[] shape = t.shape();
            String model = name;
            if (name.endsWith(".weight.int8")) {
                model = name.substring(0, name.length() - ".int8".length());
            } else if (name.endsWith(".weight.int4")) {
                model = name.substring(0, name.length() - ".int4".length());
                if (shape.length == 2) {
                    long k = 2 * shape[1];
                    Long expected = expectedInFeatures(model, config);
                    if (expected != null && (expected + 1) / 2 == shape[1]) k = expected;
                    shape = new long[] {shape[0], k};
                }
            }
            logical.put(model, new TensorInfo(name, t.dtype(), shape));
        }
        return logical;
    }

    private static Long expectedInFeatures(String weightName, WhisperConfig config) {
        long[] shape = WhisperTensorNames.expected(config).get(weightName);
        return shape != null && shape.length == 2 ? shape[1] : null;
    }

    public WhisperConfig config() {
        return config;
    }

    public QuantConfig quant() {
        return quant;
    }

    public Path folder() {
        return folder;
    }

    /** Whether the Linear weight {@code <prefix>.weight} is stored quantized. */
    public boolean isQuantized(String prefix) {
        return file.names().contains(prefix + ".weight.int8") || file.names().contains(prefix + ".weight.int4");
    }

    /** Whether a plain (F32/F16) tensor is stored under the OpenAI name. */
    public boolean has(String name) {
        return file.names().contains(name);
    }

    /** A plain tensor as a new F32 tensor. */
    public Tensor tensor(String name) throws IOException {
        if (!has(name)) throw new CheckpointFormatException(file.file(), name, "missing");
        return file.readF32(name, name);
    }

    /** The codes and scales of {@code <prefix>.weight}, checked against each other; the caller closes both tensors. */
    public QuantizedWeight weight(String prefix) throws IOException {
        boolean eight = file.names().contains(prefix + ".weight.int8");
        String codesName = prefix + (eight ? ".weight.int8" : ".weight.int4");
        String scaleName = prefix + ".weight.scale";
        if (!has(codesName) || !has(scaleName)) throw new CheckpointFormatException(file.file(), prefix, "no quantized weight (codes + scale)");
        TensorInfo ci = file.info(codesName), si = file.info(scaleName);
        if (ci.shape().length != 2 || si.dtype() != StorageDType.F32) {
            throw new CheckpointFormatException(file.file(), codesName, "shape " + Arrays.toString(ci.shape()) + " / scale dtype " + si.dtype() + " invalid");
        }
        int n = (int) ci.shape()[0];
        int k, group;
        if (eight) {
            if (ci.dtype() != StorageDType.I8 || !si.hasShape(n)) {
                throw new CheckpointFormatException(file.file(), codesName, "must be I8 [N,K] with scale F32 [N], got " + ci.dtype() + " "
                        + Arrays.toString(ci.shape()) + " and " + Arrays.toString(si.shape()));
            }
            k = (int) ci.shape()[1];
            group = k;
        } else {
            long kk = inFeatures(prefix);
            long groups = si.shape().length == 2 ? si.shape()[1] : -1;
            group = (int) (quant.granularity() == QuantConfig.Granularity.PER_GROUP ? quant.segmentLength(kk) : kk);
            if (ci.dtype() != StorageDType.U8 || ci.shape()[1] != (kk + 1) / 2 || si.shape().length != 2 || si.shape()[0] != n
                    || groups != (kk + group - 1) / group) {
                throw new CheckpointFormatException(file.file(), codesName, "must be U8 [N, ceil(K/2)] with scale F32 [N, ceil(K/" + group
                        + ")] for K = " + kk + ", got " + Arrays.toString(ci.shape()) + " and " + Arrays.toString(si.shape()));
            }
            k = (int) kk;
        }
        Tensor codes = file.readRaw(codesName, codesName);
        try {
            Tensor scales = file.readF32(scaleName, scaleName);
            return new QuantizedWeight(prefix, eight ? 8 : 4, n, k, group, codes, scales);
        } catch (IOException | RuntimeException e) {
            codes.close();
            throw e;
        }
    }

    /** K of a block Linear from the model dims (attention: the state width; fc2: 4× the width). */
    private long inFeatures(String prefix) throws CheckpointFormatException {
        boolean enc = prefix.startsWith("encoder.");
        long d = enc ? config.nAudioState() : config.nTextState();
        if (prefix.endsWith(".mlp.2")) return 4 * d;
        if (prefix.matches("(encoder|decoder)\\.blocks\\.\\d+\\.((attn|cross_attn)\\.(query|key|value|out)|mlp\\.0)")) return d;
        throw new CheckpointFormatException(file.file(), prefix, "is not a block Linear");
    }

    /** The dequantized F32 weight {@code q·scale} of a quantized Linear (a new tensor). */
    public static Tensor dequantize(QuantizedWeight w) {
        float[] s = w.scales().toFloatArray();
        int groups = w.bits() == 8 ? 1 : (int) w.scales().dim(1);
        float[] out = new float[w.n() * w.k()];
        if (w.bits() == 8) {
            byte[] q = w.codes().toByteArray();
            for (int i = 0; i < w.n(); i++) for (int j = 0; j < w.k(); j++) out[i * w.k() + j] = q[i * w.k() + j] * s[i];
        } else {
            byte[] p = w.codes().toByteArray();
            int row = (w.k() + 1) / 2;
            for (int i = 0; i < w.n(); i++) {
                for (int j = 0; j < w.k(); j++) {
                    int b = p[i * row + j / 2];
                    int nib = (j & 1) == 0 ? b & 0xF : (b >> 4) & 0xF;
                    int q = nib >= 8 ? nib - 16 : nib;
                    out[i * w.k() + j] = q * s[i * groups + j / w.group()];
                }
            }
        }
        Tensor t = Tensor.allocate(w.name() + ".weight", DType.F32, w.n(), w.k());
        t.copyFrom(out);
        return t;
    }

    /** Names of every stored tensor (for reports). */
    public Map<String, TensorInfo> tensors() {
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        for (String n : file.names()) m.put(n, file.info(n));
        return m;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
