package org.dqwhisper.whisper.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperConfig.AlignmentHead;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whisper checkpoint in any of the supported layouts, with its tensors exposed under the OpenAI
 * names ({@code encoder.conv1.weight}, {@code decoder.blocks.0.cross_attn.key.weight}, ...).
 *
 * <p>{@link #load} accepts: a Hugging Face folder ({@code config.json} + {@code model.safetensors},
 * {@code model.safetensors.index.json} with shards, or {@code pytorch_model.bin}); an OpenAI
 * {@code .pt} file (dims from its pickle); an OpenAI folder ({@code model.safetensors} preferred,
 * else {@code model.pt}); or a single {@code .safetensors} file (config from {@code config.json} or
 * {@code dims.json} beside it, or the {@code dims} entry of its {@code __metadata__}). The naming
 * scheme is read from the tensor names, never guessed from file names.
 *
 * <p>Loading validates everything before returning: config values, every config dimension against
 * the tensor shapes, the complete expected tensor set with exact shapes, no unexpected tensors, and
 * (HF) that an explicit {@code proj_out.weight} equals the token embedding (this one check converts
 * both tensors at load and frees them: 2 x 4 x n_vocab x d bytes, 0.5 GB for large-v3).
 *
 * <p>Memory: the checkpoint keeps only file channels and headers; tensor bytes stay in the file
 * (the OS page cache holds what was read). {@link #tensor} converts on demand into a new F32
 * tensor of {@code 4 x numel} bytes off-heap that the caller owns and must close; nothing is
 * cached, so converting a whole large-v3 (1.55 G parameters) costs 6.2 GB in the caller's hands.
 */
public final class WhisperCheckpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WhisperCheckpoint.class);

    /** Where the tensors came from. */
    public enum Layout { OPENAI_PT, OPENAI_SAFETENSORS, HF_SAFETENSORS, HF_SHARDED_SAFETENSORS, HF_PYTORCH_BIN }

    private final Path source;
    private final Layout layout;
    private final TensorArchive archive;
    private final WhisperConfig config;
    private final Map<String, String> storedNames; // OpenAI name -> name in the file, expected order

    private WhisperCheckpoint(Path source, Layout layout, TensorArchive archive, WhisperConfig config, Map<String, String> storedNames) {
        this.source = source;
        this.layout = layout;
        this.archive = archive;
        this.config = config;
        this.storedNames = Collections.unmodifiableMap(storedNames);
    }

    /** Opens and fully validates the checkpoint at {@code path} (file or folder). */
    public static WhisperCheckpoint load(Path path) throws IOException {
        TensorArchive archive = openArchive(path);
        try {
            return validate(path, archive);
        } catch (IOException | RuntimeException e) {
            archive.close();
            throw e;
        }
    }

    private static TensorArchive openArchive(Path path) throws IOException {
        if (!Files.exists(path)) throw new java.nio.file.NoSuchFileException(path.toString());
        if (Files.isDirectory(path)) {
            for (String candidate : List.of("model.safetensors.index.json", "model.safetensors", "model.pt", "pytorch_model.bin")) {
                Path p = path.resolve(candidate);
                if (Files.isRegularFile(p)) return openArchive(p);
            }
            throw new CheckpointFormatException(path, "folder holds none of model.safetensors, model.safetensors.index.json, "
                    + "model.pt, pytorch_model.bin");
        }
        String name = path.getFileName().toString();
        if (name.endsWith(".safetensors")) return SafetensorsFile.open(path);
        if (name.endsWith(".index.json")) return ShardedSafetensors.open(path);
        return TorchCheckpointReader.open(path); // .pt, .bin: zip checkpoints
    }

    private static WhisperCheckpoint validate(Path path, TensorArchive archive) throws IOException {
        Path folder = archive.file().toAbsolutePath().getParent();
        boolean hf = !archive.names().isEmpty() && archive.names().stream().allMatch(WhisperTensorNames::isHfName);
        if (!hf) {
            for (String n : archive.names()) {
                if (WhisperTensorNames.isHfName(n)) {
                    throw new CheckpointFormatException(archive.fileOf(n), n, "Hugging Face name among OpenAI names; mixed naming is not supported");
                }
            }
        }
        Layout layout = hf ? (archive instanceof ShardedSafetensors ? Layout.HF_SHARDED_SAFETENSORS
                : archive instanceof TorchCheckpointReader ? Layout.HF_PYTORCH_BIN : Layout.HF_SAFETENSORS)
                : archive instanceof TorchCheckpointReader ? Layout.OPENAI_PT : Layout.OPENAI_SAFETENSORS;

        String configSource;
        WhisperConfig config;
        if (hf) {
            Path configJson = folder.resolve("config.json");
            if (!Files.isRegularFile(configJson)) throw new CheckpointFormatException(archive.file(), "Hugging Face names but no config.json beside it");
            config = WhisperConfigJson.readHfConfig(configJson);
            configSource = configJson.toString();
        } else {
            SourcedConfig found = openAiConfig(archive, folder);
            config = found.config();
            configSource = found.source();
        }

        Map<String, TensorInfo> byOpenAi = new LinkedHashMap<>();
        Map<String, Path> files = new LinkedHashMap<>();
        Map<String, String> storedNames = new LinkedHashMap<>();
        Set<String> expected = WhisperTensorNames.expected(config).keySet();
        for (String stored : archive.names()) {
            String openAi = hf ? WhisperTensorNames.toOpenAi(stored) : stored;
            if (openAi != null) {
                byOpenAi.put(openAi, archive.info(stored));
                files.put(openAi, archive.fileOf(stored));
            }
        }
        // shapes first: a block beyond the configured layer count is a config mismatch, not an unknown tensor
        WhisperShapeCheck.check(byOpenAi, files, config, configSource, hf, archive.file());
        List<String> unexpected = new ArrayList<>();
        for (String stored : archive.names()) {
            String openAi = hf ? WhisperTensorNames.toOpenAi(stored) : stored;
            boolean tolerated = hf ? stored.equals(WhisperTensorNames.HF_PROJ_OUT) : stored.equals(WhisperTensorNames.OPENAI_ALIGNMENT_HEADS);
            if (!tolerated && (openAi == null || !expected.contains(openAi))) unexpected.add(stored);
        }
        if (!unexpected.isEmpty()) {
            throw new CheckpointFormatException(archive.fileOf(unexpected.get(0)), unexpected.get(0), "is not a tensor of the whisper model"
                    + (unexpected.size() > 1 ? " (and " + (unexpected.size() - 1) + " more: " + preview(unexpected) + ")" : ""));
        }
        for (String openAi : expected) storedNames.put(openAi, byOpenAi.get(openAi).name());
        if (hf && archive.has(WhisperTensorNames.HF_PROJ_OUT)) checkTiedProjection(archive, config);
        if (!hf && archive.has(WhisperTensorNames.OPENAI_ALIGNMENT_HEADS)) config = alignmentHeadsFromTensor(archive, config);
        LOG.debug("loaded {} ({}, {} tensors)", path, layout, storedNames.size());
        return new WhisperCheckpoint(path, layout, archive, config, storedNames);
    }

    /** A config and where it was read, for messages. */
    private record SourcedConfig(WhisperConfig config, String source) {}

    /** OpenAI dims: pickle {@code dims}, {@code dims.json} beside the file, safetensors metadata; all present must agree. */
    private static SourcedConfig openAiConfig(TensorArchive archive, Path folder) throws IOException {
        WhisperConfig config = null;
        String source = null;
        if (archive instanceof TorchCheckpointReader torch && torch.dims() != null) {
            config = WhisperConfigJson.fromOpenAiDims(torch.dims(), archive.file());
            source = archive.file() + " (dims)";
        }
        Path dimsJson = folder.resolve("dims.json");
        if (Files.isRegularFile(dimsJson)) {
            WhisperConfig fromFile = WhisperConfigJson.readOpenAiDims(dimsJson);
            if (config != null && !config.equals(fromFile)) {
                throw new CheckpointFormatException(dimsJson, "dims " + WhisperConfigJson.toOpenAiDims(fromFile) + " disagree with "
                        + source + " " + WhisperConfigJson.toOpenAiDims(config));
            }
            if (config == null) {
                config = fromFile;
                source = dimsJson.toString();
            }
        }
        String metadataDims = archive.metadata().get("dims");
        if (metadataDims != null) {
            String where = archive.file() + " (__metadata__ dims)";
            WhisperConfig fromMetadata = WhisperConfigJson.fromOpenAiDims(
                    WhisperConfigJson.parseObject(archive.file(), metadataDims), archive.file());
            if (config != null && !config.equals(fromMetadata)) {
                throw new CheckpointFormatException(archive.file(), "__metadata__ dims " + metadataDims + " disagree with " + source
                        + " " + WhisperConfigJson.toOpenAiDims(config));
            }
            if (config == null) {
                config = fromMetadata;
                source = where;
            }
        }
        if (config == null) {
            throw new CheckpointFormatException(archive.file(), "OpenAI tensor names but no model dimensions (no dims in the "
                    + "checkpoint, no dims.json beside it); head counts cannot be inferred from shapes");
        }
        return new SourcedConfig(config, source);
    }

    /** An explicit HF output projection must equal the token embedding (whisper ties them). */
    private static void checkTiedProjection(TensorArchive archive, WhisperConfig config) throws IOException {
        String embed = WhisperTensorNames.toHf("decoder.token_embedding.weight");
        TensorInfo proj = archive.info(WhisperTensorNames.HF_PROJ_OUT);
        if (!proj.hasShape(config.nVocab(), config.nTextState())) {
            throw new CheckpointFormatException(archive.fileOf(proj.name()), proj.name(), "has shape " + Arrays.toString(proj.shape())
                    + ", expected the token embedding's [" + config.nVocab() + ", " + config.nTextState() + "]");
        }
        try (Tensor p = archive.readF32(proj.name()); Tensor e = archive.readF32(embed)) {
            long chunk = 1L << 28;
            for (long from = 0; from < p.byteSize(); from += chunk) {
                long n = Math.min(chunk, p.byteSize() - from);
                ByteBuffer a = StoredTensorReader.byteView(p, from, n);
                ByteBuffer b = StoredTensorReader.byteView(e, from, n);
                int at = a.mismatch(b);
                if (at >= 0) {
                    long element = (from + at) / 4;
                    throw new CheckpointFormatException(archive.fileOf(proj.name()), proj.name(), "differs from " + embed + " at element "
                            + element + ": an untied output projection is not supported (whisper ties it to the token embedding)");
                }
            }
        }
    }

    /** OpenAI's {@code alignment_heads} buffer, when a file stores it dense: bool/int [n_text_layer, n_text_head]. */
    private static WhisperConfig alignmentHeadsFromTensor(TensorArchive archive, WhisperConfig config) throws IOException {
        TensorInfo info = archive.info(WhisperTensorNames.OPENAI_ALIGNMENT_HEADS);
        if (!info.hasShape(config.nTextLayer(), config.nTextHead())) {
            throw new CheckpointFormatException(archive.fileOf(info.name()), info.name(), "has shape " + Arrays.toString(info.shape())
                    + ", expected [n_text_layer, n_text_head] = [" + config.nTextLayer() + ", " + config.nTextHead() + "]");
        }
        List<AlignmentHead> heads = new ArrayList<>();
        try (Tensor t = archive.readF32(info.name())) {
            float[] mask = t.toFloatArray();
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] != 0f) heads.add(new AlignmentHead(i / config.nTextHead(), i % config.nTextHead()));
            }
        }
        return config.withAlignmentHeads(heads);
    }

    private static String preview(List<String> names) {
        List<String> rest = names.subList(1, Math.min(names.size(), 6));
        return String.join(", ", rest) + (names.size() > 6 ? ", ..." : "");
    }

    // ---- API -------------------------------------------------------------------------------------

    public WhisperConfig config() {
        return config;
    }

    public Layout layout() {
        return layout;
    }

    /** The path given to {@link #load}. */
    public Path source() {
        return source;
    }

    /** The OpenAI names of all model tensors, encoder first, in state_dict order. */
    public Set<String> names() {
        return storedNames.keySet();
    }

    /**
     * The files this checkpoint's tensors are read from (the shard index first for sharded layouts), in
     * a stable order; config files beside them are not included.
     */
    public List<Path> files() {
        java.util.LinkedHashSet<Path> out = new java.util.LinkedHashSet<>();
        out.add(archive.file());
        for (String stored : archive.names()) out.add(archive.fileOf(stored));
        return List.copyOf(out);
    }

    public boolean has(String openAiName) {
        return storedNames.containsKey(openAiName);
    }

    /** The dtype the tensor is stored with (F16 for OpenAI's files, F32 for most HF ones). */
    public StorageDType rawDType(String openAiName) {
        return archive.info(stored(openAiName)).dtype();
    }

    public long[] shape(String openAiName) {
        return archive.info(stored(openAiName)).shape();
    }

    /** The name under which the file stores the tensor (the HF name in HF layouts). */
    public String storedName(String openAiName) {
        return stored(openAiName);
    }

    /** A new F32 tensor (named by its OpenAI name), converted from the stored dtype; the caller closes it. */
    public Tensor tensor(String openAiName) throws IOException {
        return archive.readF32(stored(openAiName), openAiName);
    }

    /** A new tensor in the stored dtype where {@link org.dqwhisper.tensor.DType} has it (F32/F16/BF16/...); the caller closes it. */
    public Tensor rawTensor(String openAiName) throws IOException {
        return archive.readRaw(stored(openAiName), openAiName);
    }

    private String stored(String openAiName) {
        String s = storedNames.get(openAiName);
        if (s == null) throw new IllegalArgumentException(source + ": no tensor '" + openAiName + "' (OpenAI names expected)");
        return s;
    }

    @Override
    public void close() throws IOException {
        archive.close();
    }

    @Override
    public String toString() {
        return "WhisperCheckpoint[" + source + ", " + layout + ", " + storedNames.size() + " tensors]";
    }
}
