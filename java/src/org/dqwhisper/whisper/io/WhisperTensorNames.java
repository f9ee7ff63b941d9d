package org.dqwhisper.whisper.io;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dqwhisper.whisper.WhisperConfig;

/**
 * The tensors a whisper checkpoint must hold for a config (OpenAI names and shapes), and the mapping
 * between OpenAI names ({@code whisper.model.Whisper.state_dict()}) and Hugging Face names
 * ({@code WhisperForConditionalGeneration}). Linear weights are {@code [out, in]}, conv kernels
 * {@code [out, in, k]}; there is no key bias and no output projection (logits use the tied token
 * embedding; HF's optional {@code proj_out.weight} is handled by {@link WhisperCheckpoint}).
 */
public final class WhisperTensorNames {
    /** HF's untied output projection; when present it must equal the token embedding. */
    public static final String HF_PROJ_OUT = "proj_out.weight";
    /** OpenAI's alignment-heads buffer, stored only by some third-party files. */
    public static final String OPENAI_ALIGNMENT_HEADS = "alignment_heads";

    private static final Pattern OPENAI_BLOCK = Pattern.compile("(encoder|decoder)\\.blocks\\.(\\d+)\\.(.+)\\.(weight|bias)");
    private static final Pattern HF_BLOCK = Pattern.compile("model\\.(encoder|decoder)\\.layers\\.(\\d+)\\.(.+)\\.(weight|bias)");
    /** Block sub-module names: OpenAI, Hugging Face. */
    private static final String[][] BLOCK_MODULES = {
        {"attn.query", "self_attn.q_proj"}, {"attn.key", "self_attn.k_proj"}, {"attn.value", "self_attn.v_proj"},
        {"attn.out", "self_attn.out_proj"}, {"attn_ln", "self_attn_layer_norm"},
        {"cross_attn.query", "encoder_attn.q_proj"}, {"cross_attn.key", "encoder_attn.k_proj"},
        {"cross_attn.value", "encoder_attn.v_proj"}, {"cross_attn.out", "encoder_attn.out_proj"},
        {"cross_attn_ln", "encoder_attn_layer_norm"},
        {"mlp.0", "fc1"}, {"mlp.2", "fc2"}, {"mlp_ln", "final_layer_norm"},
    };
    /** Tensors outside the blocks: OpenAI, Hugging Face. */
    private static final String[][] TOP_LEVEL = {
        {"encoder.conv1.weight", "model.encoder.conv1.weight"}, {"encoder.conv1.bias", "model.encoder.conv1.bias"},
        {"encoder.conv2.weight", "model.encoder.conv2.weight"}, {"encoder.conv2.bias", "model.encoder.conv2.bias"},
        {"encoder.positional_embedding", "model.encoder.embed_positions.weight"},
        {"encoder.ln_post.weight", "model.encoder.layer_norm.weight"}, {"encoder.ln_post.bias", "model.encoder.layer_norm.bias"},
        {"decoder.token_embedding.weight", "model.decoder.embed_tokens.weight"},
        {"decoder.positional_embedding", "model.decoder.embed_positions.weight"},
        {"decoder.ln.weight", "model.decoder.layer_norm.weight"}, {"decoder.ln.bias", "model.decoder.layer_norm.bias"},
    };

    private WhisperTensorNames() {}

    /** Every tensor the model needs, OpenAI name to shape, in state_dict order per part. */
    public static Map<String, long[]> expected(WhisperConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.nAudioState();
        m.put("encoder.conv1.weight", new long[] {d, c.nMels(), 3});
        m.put("encoder.conv1.bias", new long[] {d});
        m.put("encoder.conv2.weight", new long[] {d, d, 3});
        m.put("encoder.conv2.bias", new long[] {d});
        m.put("encoder.positional_embedding", new long[] {c.nAudioCtx(), d});
        for (int i = 0; i < c.nAudioLayer(); i++) block(m, "encoder.blocks." + i + ".", d, c.encoderFfnDim(), false);
        m.put("encoder.ln_post.weight", new long[] {d});
        m.put("encoder.ln_post.bias", new long[] {d});
        long t = c.nTextState();
        m.put("decoder.token_embedding.weight", new long[] {c.nVocab(), t});
        m.put("decoder.positional_embedding", new long[] {c.nTextCtx(), t});
        for (int i = 0; i < c.nTextLayer(); i++) block(m, "decoder.blocks." + i + ".", t, c.decoderFfnDim(), true);
        m.put("decoder.ln.weight", new long[] {t});
        m.put("decoder.ln.bias", new long[] {t});
        return m;
    }

    private static void block(Map<String, long[]> m, String p, long d, long ffn, boolean cross) {
        attention(m, p + "attn.", d);
        m.put(p + "attn_ln.weight", new long[] {d});
        m.put(p + "attn_ln.bias", new long[] {d});
        if (cross) {
            attention(m, p + "cross_attn.", d);
            m.put(p + "cross_attn_ln.weight", new long[] {d});
            m.put(p + "cross_attn_ln.bias", new long[] {d});
        }
        m.put(p + "mlp.0.weight", new long[] {ffn, d});
        m.put(p + "mlp.0.bias", new long[] {ffn});
        m.put(p + "mlp.2.weight", new long[] {d, ffn});
        m.put(p + "mlp.2.bias", new long[] {d});
        m.put(p + "mlp_ln.weight", new long[] {d});
        m.put(p + "mlp_ln.bias", new long[] {d});
    }

    private static void attention(Map<String, long[]> m, String p, long d) {
        m.put(p + "query.weight", new long[] {d, d});
        m.put(p + "query.bias", new long[] {d});
        m.put(p + "key.weight", new long[] {d, d}); // no key bias
        m.put(p + "value.weight", new long[] {d, d});
        m.put(p + "value.bias", new long[] {d});
        m.put(p + "out.weight", new long[] {d, d});
        m.put(p + "out.bias", new long[] {d});
    }

    /** The Hugging Face name of an OpenAI tensor name, or null if it has none. */
    public static String toHf(String openAi) {
        for (String[] t : TOP_LEVEL) if (t[0].equals(openAi)) return t[1];
        Matcher b = OPENAI_BLOCK.matcher(openAi);
        if (!b.matches()) return null;
        String module = mapModule(b.group(3), 0, 1);
        return module == null ? null : "model." + b.group(1) + ".layers." + b.group(2) + "." + module + "." + b.group(4);
    }

    /** The OpenAI name of a Hugging Face tensor name, or null if it has none. */
    public static String toOpenAi(String hf) {
        for (String[] t : TOP_LEVEL) if (t[1].equals(hf)) return t[0];
        Matcher b = HF_BLOCK.matcher(hf);
        if (!b.matches()) return null;
        String module = mapModule(b.group(3), 1, 0);
        return module == null ? null : b.group(1) + ".blocks." + b.group(2) + "." + module + "." + b.group(4);
    }

    /** Whether {@code name} is spelled the Hugging Face way. */
    public static boolean isHfName(String name) {
        return name.startsWith("model.") || name.equals(HF_PROJ_OUT);
    }

    /** The block index of an OpenAI block tensor of {@code part} ("encoder"/"decoder"), or -1. */
    static int blockIndex(String openAi, String part) {
        Matcher b = OPENAI_BLOCK.matcher(openAi);
        if (!b.matches() || !b.group(1).equals(part)) return -1;
        try {
            return Integer.parseInt(b.group(2));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static String mapModule(String module, int from, int to) {
        for (String[] m : BLOCK_MODULES) if (m[from].equals(module)) return m[to];
        return null;
    }
}
