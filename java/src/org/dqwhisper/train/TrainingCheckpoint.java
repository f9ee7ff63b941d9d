package org.dqwhisper.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.CheckpointFormatException;
import org.dqwhisper.whisper.io.SafetensorsFile;
import org.dqwhisper.whisper.io.SafetensorsWriter;
import org.dqwhisper.whisper.io.WhisperConfigJson;
import org.dqwhisper.whisper.io.WhisperTensorNames;

/**
 * Training checkpoints. A checkpoint is a folder {@code checkpoint-NNNNNNNN} (the update count)
 * holding a Hugging Face model folder ({@code config.json}, {@code model.safetensors} with HF tensor
 * names, FP32) plus the loop state: {@code trainer_state.safetensors} (AdamW's exp_avg / exp_avg_sq
 * per parameter, under {@code exp_avg.<OpenAI name>} / {@code exp_avg_sq.<OpenAI name>}) and
 * {@code trainer_state.json} (update count, RNG state, data position, options). The folder is
 * written under a temporary name and renamed into place, so a folder with the final name is always
 * complete; a crash leaves at most a hidden temporary folder, removed by the next save.
 */
public final class TrainingCheckpoint {
    public static final String CONFIG = "config.json";
    public static final String MODEL = "model.safetensors";
    public static final String STATE_TENSORS = "trainer_state.safetensors";
    public static final String STATE_JSON = "trainer_state.json";
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final String EXP_AVG = "exp_avg.";
    private static final String EXP_AVG_SQ = "exp_avg_sq.";

    /** The scalar loop state of a checkpoint. */
    public record State(long step, long rngState, long dataPosition, JsonObject options) {}

    private TrainingCheckpoint() {}

    /** Writes {@code model} as a Hugging Face folder (FP32 config.json + model.safetensors) into {@code dir}, each file atomically. */
    public static void writeModel(Path dir, WhisperModel model) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter w = new SafetensorsWriter(dir.resolve(MODEL)).metadata("format", "pt");
        for (Map.Entry<String, Tensor> e : model.stateTensors().entrySet()) {
            String hf = WhisperTensorNames.toHf(e.getKey());
            if (hf == null) throw new IllegalStateException("no Hugging Face name for " + e.getKey());
            w.add(hf, e.getValue());
        }
        w.write();
        JsonObject config = WhisperConfigJson.toHfConfig(model.config(), "float32");
        if (model.config().eotId().isEmpty()) {
            // a non-standard vocabulary without known special tokens (test models): toHfConfig's fallback
            // ids would lie outside it, so say "unknown"
            for (String key : new String[] {"bos_token_id", "eos_token_id", "pad_token_id", "decoder_start_token_id"}) {
                config.add(key, com.google.gson.JsonNull.INSTANCE);
            }
            config.add("begin_suppress_tokens", new com.google.gson.JsonArray());
        }
        AtomicFiles.writeString(dir.resolve(CONFIG), new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(config) + "\n");
    }

    /** Files a caller adds to a checkpoint folder before it is renamed into place. */
    @FunctionalInterface
    public interface ExtraFiles {
        void writeInto(Path folder) throws IOException;
    }

    /** Saves the run's state as {@code outDir/checkpoint-<updates>} and returns that folder. */
    public static Path save(Path outDir, Trainer trainer, JsonObject options) throws IOException {
        return save(outDir, trainer.stepsDone(), trainer.model(), trainer.optimizer(), Map.of(), trainer.rng().state(),
                trainer.source().position(), options, null);
    }

    /**
     * Saves a loop's state as {@code outDir/checkpoint-<step>} and returns that folder: {@code model} as a Hugging
     * Face folder, the optimizer's moments plus {@code extraTensors} (stored under their own names, e.g. a
     * distillation adapter) in {@code trainer_state.safetensors}, the scalars in {@code trainer_state.json}, and
     * whatever {@code extra} (may be null) writes. All of it appears at once (temporary folder, then rename).
     */
    public static Path save(Path outDir, long step, WhisperModel model, AdamW optimizer, Map<String, Tensor> extraTensors, long rngState,
            long dataPosition, JsonObject options, ExtraFiles extra) throws IOException {
        Files.createDirectories(outDir);
        String name = String.format("checkpoint-%08d", step);
        Path target = outDir.resolve(name);
        Path temp = outDir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            Files.createDirectory(temp);
            writeModel(temp, model);
            SafetensorsWriter w = new SafetensorsWriter(temp.resolve(STATE_TENSORS));
            for (Map.Entry<String, Tensor[]> e : optimizer.moments().entrySet()) {
                w.add(EXP_AVG + e.getKey(), e.getValue()[0]);
                w.add(EXP_AVG_SQ + e.getKey(), e.getValue()[1]);
            }
            for (Map.Entry<String, Tensor> e : extraTensors.entrySet()) {
                if (e.getKey().startsWith(EXP_AVG)) throw new IllegalArgumentException("checkpoint tensor name " + e.getKey() + " is reserved");
                w.add(e.getKey(), e.getValue());
            }
            w.write();
            JsonObject state = new JsonObject();
            state.addProperty("step", step);
            state.addProperty("optimizer_updates", optimizer.updates());
            state.addProperty("rng_state", Long.toUnsignedString(rngState, 16));
            state.addProperty("data_position", dataPosition);
            state.add("options", options == null ? new JsonObject() : options);
            AtomicFiles.writeString(temp.resolve(STATE_JSON), new GsonBuilder().setPrettyPrinting().create().toJson(state) + "\n");
            if (extra != null) extra.writeInto(temp);
            AtomicFiles.deleteTree(target); // a re-run that saves the same step again replaces it
            AtomicFiles.move(temp, target);
            return target;
        } finally {
            AtomicFiles.deleteTree(temp);
        }
    }

    /** The checkpoint folder with the most updates under {@code outDir}, if any. */
    public static Optional<Path> latest(Path outDir) throws IOException {
        if (!Files.isDirectory(outDir)) return Optional.empty();
        try (Stream<Path> s = Files.list(outDir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p.resolve(STATE_JSON)))
                    .max(java.util.Comparator.comparingLong(TrainingCheckpoint::stepOf));
        }
    }

    /** All checkpoint folders under {@code outDir}, oldest first. */
    public static List<Path> all(Path outDir) throws IOException {
        if (!Files.isDirectory(outDir)) return List.of();
        try (Stream<Path> s = Files.list(outDir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(java.util.Comparator.comparingLong(TrainingCheckpoint::stepOf)).toList();
        }
    }

    /** Deletes all but the newest {@code keep} checkpoints. */
    public static void prune(Path outDir, int keep) throws IOException {
        List<Path> all = all(outDir);
        for (int i = 0; i < all.size() - keep; i++) AtomicFiles.deleteTree(all.get(i));
    }

    private static long stepOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Reads {@code trainer_state.json}. */
    public static State readState(Path checkpoint) throws IOException {
        Path file = checkpoint.resolve(STATE_JSON);
        String text = WhisperConfigJson.readUtf8(file);
        try {
            JsonObject o = JsonParser.parseString(text).getAsJsonObject();
            return new State(o.get("step").getAsLong(), Long.parseUnsignedLong(o.get("rng_state").getAsString(), 16),
                    o.get("data_position").getAsLong(), o.has("options") ? o.getAsJsonObject("options") : new JsonObject());
        } catch (RuntimeException e) {
            throw new CheckpointFormatException(file, "not a valid trainer state: " + e.getMessage(), e);
        }
    }

    /**
     * Restores the loop state of {@code checkpoint} into {@code trainer}, whose model must have been
     * loaded from the same checkpoint (its weights are the checkpoint's weights).
     */
    public static void restore(Path checkpoint, Trainer trainer) throws IOException {
        State state = readState(checkpoint);
        trainer.restore(state.step(), state.rngState(), state.dataPosition(), readMoments(checkpoint, trainer.trainable()));
    }

    /**
     * The AdamW moments of {@code params} in {@code checkpoint} (new tensors, for {@link AdamW#restore}); a
     * parameter without saved moments (never updated) is left out.
     */
    public static Map<String, Tensor[]> readMoments(Path checkpoint, List<Parameter> params) throws IOException {
        Map<String, Tensor[]> moments = new LinkedHashMap<>();
        Path file = checkpoint.resolve(STATE_TENSORS);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (Parameter p : params) {
                String m = EXP_AVG + p.name(), v = EXP_AVG_SQ + p.name();
                if (!f.names().contains(m) && !f.names().contains(v)) continue; // never updated (e.g. unfrozen after the save)
                if (!f.names().contains(m) || !f.names().contains(v)) {
                    throw new CheckpointFormatException(file, p.name(), "has only one of its two AdamW moments");
                }
                moments.put(p.name(), new Tensor[] {f.readF32(m, m), f.readF32(v, v)});
            }
        } catch (IOException | RuntimeException e) {
            for (Tensor[] mv : moments.values()) for (Tensor t : mv) t.close();
            throw e;
        }
        return moments;
    }

    /** An extra tensor saved with {@link #save(Path, long, WhisperModel, AdamW, Map, long, long, JsonObject, ExtraFiles)} (a new F32 tensor). */
    public static Tensor readExtraTensor(Path checkpoint, String name) throws IOException {
        Path file = checkpoint.resolve(STATE_TENSORS);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            if (!f.names().contains(name)) throw new CheckpointFormatException(file, name, "is missing");
            return f.readF32(name, name);
        }
    }
}
