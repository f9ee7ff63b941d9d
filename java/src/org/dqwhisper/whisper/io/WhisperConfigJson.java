package org.dqwhisper.whisper.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperConfig.AlignmentHead;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link WhisperConfig} from and to the two config formats: OpenAI's {@code dims} (the
 * {@code ModelDimensions} dict in the {@code .pt} pickle, {@code dims.json}, or the {@code dims}
 * entry of a safetensors {@code __metadata__}) and Hugging Face's {@code config.json} (+ the
 * {@code alignment_heads} of {@code generation_config.json}). Invalid values give a
 * {@link CheckpointFormatException} naming the source file and the field.
 */
public final class WhisperConfigJson {
    private static final Logger LOG = LoggerFactory.getLogger(WhisperConfigJson.class);
    /** OpenAI {@code ModelDimensions} fields, in their order. */
    public static final List<String> OPENAI_DIMS = List.of("n_mels", "n_audio_ctx", "n_audio_state", "n_audio_head",
            "n_audio_layer", "n_vocab", "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer");

    private WhisperConfigJson() {}

    // ---- OpenAI dims ----------------------------------------------------------------------------

    public static WhisperConfig readOpenAiDims(Path dimsJson) throws IOException {
        return fromOpenAiDims(parseObject(dimsJson, readUtf8(dimsJson)), dimsJson);
    }

    /** From a JSON object with the ten {@code ModelDimensions} fields. */
    public static WhisperConfig fromOpenAiDims(JsonObject dims, Path source) throws CheckpointFormatException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : dims.entrySet()) values.put(e.getKey(), e.getValue());
        return fromOpenAiDims(values, source);
    }

    /** From a dims map whose values are numbers (e.g. the pickle's Longs) or JSON primitives. */
    public static WhisperConfig fromOpenAiDims(Map<String, ?> dims, Path source) throws CheckpointFormatException {
        int[] v = new int[OPENAI_DIMS.size()];
        for (int i = 0; i < v.length; i++) v[i] = intField(dims, OPENAI_DIMS.get(i), source, "dims");
        try {
            return WhisperConfig.of(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(source, "invalid dims: " + e.getMessage(), e);
        }
    }

    /** The ten {@code ModelDimensions} fields, as {@code dims.json} holds them. */
    public static JsonObject toOpenAiDims(WhisperConfig c) {
        int[] v = {c.nMels(), c.nAudioCtx(), c.nAudioState(), c.nAudioHead(), c.nAudioLayer(), c.nVocab(), c.nTextCtx(),
            c.nTextState(), c.nTextHead(), c.nTextLayer()};
        JsonObject o = new JsonObject();
        for (int i = 0; i < v.length; i++) o.addProperty(OPENAI_DIMS.get(i), v[i]);
        return o;
    }

    // ---- Hugging Face config.json ---------------------------------------------------------------

    /**
     * Reads {@code config.json}, plus {@code alignment_heads} from a {@code generation_config.json}
     * in the same folder when there is one.
     */
    public static WhisperConfig readHfConfig(Path configJson) throws IOException {
        WhisperConfig c = fromHfConfig(parseObject(configJson, readUtf8(configJson)), configJson);
        Path generation = configJson.toAbsolutePath().resolveSibling("generation_config.json");
        if (Files.isRegularFile(generation)) {
            JsonObject g = parseObject(generation, readUtf8(generation));
            c = withAlignmentHeads(c, g.get("alignment_heads"), generation);
        }
        return c;
    }

    public static WhisperConfig fromHfConfig(JsonObject cfg, Path source) throws CheckpointFormatException {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : cfg.entrySet()) m.put(e.getKey(), e.getValue());
        if (cfg.has("model_type") && !"whisper".equals(stringOrNull(cfg.get("model_type")))) {
            throw new CheckpointFormatException(source, "model_type is " + cfg.get("model_type") + ", not \"whisper\"");
        }
        if (cfg.has("activation_function") && !"gelu".equals(stringOrNull(cfg.get("activation_function")))) {
            throw new CheckpointFormatException(source, "activation_function " + cfg.get("activation_function")
                    + " is not supported (whisper uses exact-erf \"gelu\")");
        }
        if (cfg.has("scale_embedding") && cfg.get("scale_embedding").isJsonPrimitive() && cfg.get("scale_embedding").getAsBoolean()) {
            throw new CheckpointFormatException(source, "scale_embedding=true is not supported (whisper does not scale embeddings)");
        }
        int d = intField(m, "d_model", source, "config");
        int vocab = intField(m, "vocab_size", source, "config");
        OptionalInt eot = optionalId(m, "eos_token_id", source);
        OptionalInt sot = optionalId(m, "decoder_start_token_id", source);
        if (eot.isEmpty()) eot = WhisperConfig.standardEotId(vocab);
        if (sot.isEmpty()) sot = WhisperConfig.standardSotId(vocab);
        if (eot.isPresent() && WhisperConfig.standardEotId(vocab).isPresent()
                && eot.getAsInt() != WhisperConfig.standardEotId(vocab).getAsInt()) {
            LOG.warn("{}: eos_token_id {} differs from <|endoftext|> = {} of the standard {}-token vocabulary", source,
                    eot.getAsInt(), WhisperConfig.standardEotId(vocab).getAsInt(), vocab);
        }
        try {
            return new WhisperConfig(intField(m, "num_mel_bins", source, "config"), intField(m, "max_source_positions", source, "config"),
                    d, intField(m, "encoder_attention_heads", source, "config"), intField(m, "encoder_layers", source, "config"),
                    vocab, intField(m, "max_target_positions", source, "config"), d,
                    intField(m, "decoder_attention_heads", source, "config"), intField(m, "decoder_layers", source, "config"),
                    m.containsKey("encoder_ffn_dim") ? intField(m, "encoder_ffn_dim", source, "config") : 4 * d,
                    m.containsKey("decoder_ffn_dim") ? intField(m, "decoder_ffn_dim", source, "config") : 4 * d,
                    eot, sot, List.of());
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(source, "invalid config: " + e.getMessage(), e);
        }
    }

    /**
     * A {@code config.json} for {@code WhisperForConditionalGeneration}, with the key set and defaults
     * that transformers' {@code save_pretrained} writes; {@code dtype} is the weights' torch dtype name.
     */
    public static JsonObject toHfConfig(WhisperConfig c, String dtype) {
        int eot = c.eotId().orElse(WhisperConfig.standardEotId(c.nVocab()).orElse(50257));
        int sot = c.sotId().orElse(eot + 1);
        JsonObject o = new JsonObject();
        o.addProperty("activation_dropout", 0.0);
        o.addProperty("activation_function", "gelu");
        o.addProperty("apply_spec_augment", false);
        JsonArray arch = new JsonArray();
        arch.add("WhisperForConditionalGeneration");
        o.add("architectures", arch);
        o.addProperty("attention_dropout", 0.0);
        JsonArray beginSuppress = new JsonArray();
        beginSuppress.add(220); // " " in both the gpt2 and the multilingual vocabulary
        beginSuppress.add(eot);
        o.add("begin_suppress_tokens", beginSuppress);
        o.addProperty("bos_token_id", eot);
        o.addProperty("classifier_proj_size", 256);
        o.addProperty("d_model", c.nAudioState());
        o.addProperty("decoder_attention_heads", c.nTextHead());
        o.addProperty("decoder_ffn_dim", c.decoderFfnDim());
        o.addProperty("decoder_layerdrop", 0.0);
        o.addProperty("decoder_layers", c.nTextLayer());
        o.addProperty("decoder_start_token_id", sot);
        o.addProperty("dropout", 0.0);
        o.addProperty("dtype", dtype);
        o.addProperty("encoder_attention_heads", c.nAudioHead());
        o.addProperty("encoder_ffn_dim", c.encoderFfnDim());
        o.addProperty("encoder_layerdrop", 0.0);
        o.addProperty("encoder_layers", c.nAudioLayer());
        o.addProperty("eos_token_id", eot);
        o.addProperty("init_std", 0.02);
        o.addProperty("is_encoder_decoder", true);
        o.addProperty("mask_feature_length", 10);
        o.addProperty("mask_feature_min_masks", 0);
        o.addProperty("mask_feature_prob", 0.0);
        o.addProperty("mask_time_length", 10);
        o.addProperty("mask_time_min_masks", 2);
        o.addProperty("mask_time_prob", 0.05);
        o.addProperty("max_source_positions", c.nAudioCtx());
        o.addProperty("max_target_positions", c.nTextCtx());
        o.addProperty("median_filter_width", 7);
        o.addProperty("model_type", "whisper");
        o.addProperty("num_mel_bins", c.nMels());
        o.addProperty("pad_token_id", eot);
        o.addProperty("scale_embedding", false);
        o.add("suppress_tokens", JsonNull.INSTANCE);
        o.addProperty("tie_word_embeddings", true);
        o.addProperty("use_cache", true);
        o.addProperty("use_weighted_layer_sum", false);
        o.addProperty("vocab_size", c.nVocab());
        return o;
    }

    /** The {@code generation_config.json} fields this config knows: token ids and alignment heads. */
    public static JsonObject toHfGenerationConfig(WhisperConfig c) {
        JsonObject o = new JsonObject();
        if (!c.alignmentHeads().isEmpty()) {
            JsonArray heads = new JsonArray();
            for (AlignmentHead h : c.alignmentHeads()) {
                JsonArray pair = new JsonArray();
                pair.add(h.layer());
                pair.add(h.head());
                heads.add(pair);
            }
            o.add("alignment_heads", heads);
        }
        c.eotId().ifPresent(id -> o.addProperty("eos_token_id", id));
        c.sotId().ifPresent(id -> o.addProperty("decoder_start_token_id", id));
        return o;
    }

    /** Applies an {@code alignment_heads} value ({@code [[layer, head], ...]}); null leaves {@code c} as is. */
    public static WhisperConfig withAlignmentHeads(WhisperConfig c, JsonElement heads, Path source) throws CheckpointFormatException {
        if (heads == null || heads.isJsonNull()) return c;
        List<AlignmentHead> list = new ArrayList<>();
        if (!heads.isJsonArray()) throw new CheckpointFormatException(source, "alignment_heads is not a list of [layer, head] pairs");
        for (JsonElement e : heads.getAsJsonArray()) {
            if (!e.isJsonArray() || e.getAsJsonArray().size() != 2) {
                throw new CheckpointFormatException(source, "alignment_heads entry " + e + " is not a [layer, head] pair");
            }
            list.add(new AlignmentHead(exactInt(e.getAsJsonArray().get(0), source, "alignment_heads"),
                    exactInt(e.getAsJsonArray().get(1), source, "alignment_heads")));
        }
        try {
            return c.withAlignmentHeads(list);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(source, "invalid alignment_heads: " + e.getMessage(), e);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** The whole file as UTF-8 text; bytes that are not UTF-8 give a {@link CheckpointFormatException} naming the file. */
    public static String readUtf8(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new CheckpointFormatException(file, "is not UTF-8 text (" + e.getMessage() + ")", e);
        }
    }

    static JsonObject parseObject(Path source, String text) throws CheckpointFormatException {
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) throw new CheckpointFormatException(source, "JSON is not an object");
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new CheckpointFormatException(source, "malformed JSON: " + e.getMessage(), e);
        }
    }

    private static int intField(Map<String, ?> m, String key, Path source, String what) throws CheckpointFormatException {
        if (!m.containsKey(key) || m.get(key) == null || m.get(key) instanceof JsonNull) {
            throw new CheckpointFormatException(source, what + " lacks '" + key + "'");
        }
        Object v = m.get(key);
        if (v instanceof JsonElement e) return exactInt(e, source, key);
        if (v instanceof Long || v instanceof Integer) {
            long l = ((Number) v).longValue();
            if (l != (int) l) throw new CheckpointFormatException(source, what + " '" + key + "' = " + l + " does not fit an int");
            return (int) l;
        }
        throw new CheckpointFormatException(source, what + " '" + key + "' is " + v + ", not an integer");
    }

    private static int exactInt(JsonElement e, Path source, String key) throws CheckpointFormatException {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new CheckpointFormatException(source, "'" + key + "' is " + e + ", not an integer");
        }
        try {
            return new BigDecimal(e.getAsJsonPrimitive().getAsString()).intValueExact();
        } catch (ArithmeticException | NumberFormatException x) {
            throw new CheckpointFormatException(source, "'" + key + "' is " + e + ", not a 32-bit integer");
        }
    }

    /** A token id field that may be absent, null, an int, or a list of ints (the first is used). */
    private static OptionalInt optionalId(Map<String, ?> m, String key, Path source) throws CheckpointFormatException {
        Object v = m.get(key);
        if (!(v instanceof JsonElement e) || e.isJsonNull()) return OptionalInt.empty();
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            return a.isEmpty() ? OptionalInt.empty() : OptionalInt.of(exactInt(a.get(0), source, key));
        }
        return OptionalInt.of(exactInt(e, source, key));
    }

    private static String stringOrNull(JsonElement e) {
        return e instanceof JsonPrimitive p && p.isString() ? p.getAsString() : null;
    }
}
