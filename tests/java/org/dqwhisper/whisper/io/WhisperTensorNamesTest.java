package org.dqwhisper.whisper.io;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.dqwhisper.whisper.WhisperConfig;
import org.junit.jupiter.api.Test;

class WhisperTensorNamesTest {
    @Test
    void expectedSetMatchesWhispersStateDict() {
        WhisperConfig tiny = WhisperConfig.of(80, 1500, 384, 6, 4, 51865, 448, 384, 6, 4);
        Map<String, long[]> m = WhisperTensorNames.expected(tiny);
        // encoder: 5 stem + 15 per block + 2 ln_post; decoder: 2 embeddings + 24 per block + 2 ln
        assertEquals(5 + 15 * 4 + 2 + 2 + 24 * 4 + 2, m.size());
        assertArrayEquals(new long[] {384, 80, 3}, m.get("encoder.conv1.weight"));
        assertArrayEquals(new long[] {1536, 384}, m.get("encoder.blocks.3.mlp.0.weight"));
        assertArrayEquals(new long[] {384, 1536}, m.get("decoder.blocks.0.mlp.2.weight"));
        assertArrayEquals(new long[] {51865, 384}, m.get("decoder.token_embedding.weight"));
        assertArrayEquals(new long[] {448, 384}, m.get("decoder.positional_embedding"));
        assertFalse(m.containsKey("encoder.blocks.0.attn.key.bias"));
        assertFalse(m.containsKey("encoder.blocks.0.cross_attn.query.weight"));
        assertTrue(m.containsKey("decoder.blocks.3.cross_attn_ln.bias"));
    }

    @Test
    void huggingFaceNamesMapBothWaysForEveryTensor() {
        WhisperConfig c = WhisperConfig.of(80, 1500, 64, 4, 12, 51865, 448, 64, 4, 11);
        Set<String> hfNames = new HashSet<>();
        for (String openAi : WhisperTensorNames.expected(c).keySet()) {
            String hf = WhisperTensorNames.toHf(openAi);
            assertNotNull(hf, openAi);
            assertTrue(WhisperTensorNames.isHfName(hf), hf);
            assertFalse(WhisperTensorNames.isHfName(openAi), openAi);
            assertEquals(openAi, WhisperTensorNames.toOpenAi(hf));
            assertTrue(hfNames.add(hf), "distinct: " + hf);
        }
        assertEquals("model.encoder.layers.11.self_attn_layer_norm.weight", WhisperTensorNames.toHf("encoder.blocks.11.attn_ln.weight"));
        assertEquals("model.decoder.layers.10.encoder_attn.out_proj.bias", WhisperTensorNames.toHf("decoder.blocks.10.cross_attn.out.bias"));
        assertEquals("model.decoder.layers.0.final_layer_norm.bias", WhisperTensorNames.toHf("decoder.blocks.0.mlp_ln.bias"));
        assertEquals("encoder.positional_embedding", WhisperTensorNames.toOpenAi("model.encoder.embed_positions.weight"));
        assertEquals("encoder.ln_post.bias", WhisperTensorNames.toOpenAi("model.encoder.layer_norm.bias"));
        assertNull(WhisperTensorNames.toOpenAi("proj_out.weight"));
        assertNull(WhisperTensorNames.toOpenAi("model.encoder.layers.0.self_attn.qkv.weight"));
        assertNull(WhisperTensorNames.toHf("encoder.blocks.0.attn.qkv.weight"));
    }
}
