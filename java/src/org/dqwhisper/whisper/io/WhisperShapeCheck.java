package org.dqwhisper.whisper.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.dqwhisper.whisper.WhisperConfig;

/**
 * Checks a checkpoint's tensors against its config. The tensor shapes are the truth: every
 * dimension that can be read off a shape (all but the head counts) is compared with the config
 * first, so a wrong config gives one message naming the config field, its value, the tensor and
 * its shape; then every expected tensor must be present with exactly the expected shape.
 */
final class WhisperShapeCheck {
    /** A config field seen in a tensor dimension. */
    private record Rule(String openAiField, String hfField, String tensor, int dim, ToIntFunction<WhisperConfig> value) {}

    private static final Rule[] RULES = {
        new Rule("n_audio_state", "d_model", "encoder.conv1.weight", 0, WhisperConfig::nAudioState),
        new Rule("n_mels", "num_mel_bins", "encoder.conv1.weight", 1, WhisperConfig::nMels),
        new Rule("n_audio_ctx", "max_source_positions", "encoder.positional_embedding", 0, WhisperConfig::nAudioCtx),
        new Rule("n_vocab", "vocab_size", "decoder.token_embedding.weight", 0, WhisperConfig::nVocab),
        new Rule("n_text_state", "d_model", "decoder.token_embedding.weight", 1, WhisperConfig::nTextState),
        new Rule("n_text_ctx", "max_target_positions", "decoder.positional_embedding", 0, WhisperConfig::nTextCtx),
        new Rule("encoder ffn dim", "encoder_ffn_dim", "encoder.blocks.0.mlp.0.weight", 0, WhisperConfig::encoderFfnDim),
        new Rule("decoder ffn dim", "decoder_ffn_dim", "decoder.blocks.0.mlp.0.weight", 0, WhisperConfig::decoderFfnDim),
    };

    private WhisperShapeCheck() {}

    /**
     * @param tensors      OpenAI name to the stored tensor's info (whose name is the stored name)
     * @param files        OpenAI name to the file holding it
     * @param configSource e.g. "config.json" or "dims.json", for messages
     * @param hf           whether to name config fields the Hugging Face way
     */
    static void check(Map<String, TensorInfo> tensors, Map<String, Path> files, WhisperConfig config, String configSource,
                      boolean hf, Path checkpoint) throws CheckpointFormatException {
        for (Rule r : RULES) {
            TensorInfo t = tensors.get(r.tensor());
            if (t == null || t.rank() <= r.dim()) continue; // reported as missing / wrong shape below
            long actual = t.dim(r.dim());
            int configured = r.value().applyAsInt(config);
            if (actual != configured) {
                throw new CheckpointFormatException(files.get(r.tensor()), t.name(), configSource + " says "
                        + field(r.openAiField(), r.hfField(), hf) + " = " + configured + " but the tensor has shape "
                        + Arrays.toString(t.shape()) + " (" + r.openAiField() + " = " + actual + ")");
            }
        }
        layers(tensors, files, "encoder", config.nAudioLayer(), field("n_audio_layer", "encoder_layers", hf), configSource);
        layers(tensors, files, "decoder", config.nTextLayer(), field("n_text_layer", "decoder_layers", hf), configSource);
        for (Map.Entry<String, long[]> e : WhisperTensorNames.expected(config).entrySet()) {
            String name = e.getKey();
            TensorInfo t = tensors.get(name);
            if (t == null) {
                String stored = hf ? WhisperTensorNames.toHf(name) : name;
                throw new CheckpointFormatException(checkpoint, stored, "missing (expected shape " + Arrays.toString(e.getValue())
                        + " for the config in " + configSource + ")");
            }
            if (!t.hasShape(e.getValue())) {
                throw new CheckpointFormatException(files.get(name), t.name(), "has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(e.getValue()) + " for the config in " + configSource);
            }
        }
    }

    /**
     * The same check for a single-file model folder whose tensors are named the OpenAI way ({@code dims.json} +
     * {@code model.safetensors}, e.g. the 8-bit storage and quantized exports), given each model tensor's
     * logical (dequantized) shape.
     */
    static void check(Map<String, TensorInfo> logical, WhisperConfig config, Path dimsJson, Path modelFile)
            throws CheckpointFormatException {
        Map<String, Path> files = new HashMap<>();
        for (String name : logical.keySet()) files.put(name, modelFile);
        check(logical, files, config, dimsJson.toString(), false, modelFile);
    }

    private static void layers(Map<String, TensorInfo> tensors, Map<String, Path> files, String part, int configured,
                               String field, String configSource) throws CheckpointFormatException {
        int highest = -1;
        String witness = null;
        for (String name : tensors.keySet()) {
            int i = WhisperTensorNames.blockIndex(name, part);
            if (i > highest) {
                highest = i;
                witness = name;
            }
        }
        if (highest + 1 != configured && highest >= 0) {
            throw new CheckpointFormatException(files.get(witness), tensors.get(witness).name(), configSource + " says " + field
                    + " = " + configured + " but the checkpoint has " + part + " blocks up to index " + highest
                    + " (" + (highest == Integer.MAX_VALUE ? "too many" : String.valueOf(highest + 1)) + " layers)");
        }
    }

    private static String field(String openAi, String hfName, boolean hf) {
        return hf ? hfName + " (" + openAi + ")" : openAi;
    }
}
