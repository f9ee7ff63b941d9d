package org.dqwhisper.distill;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.dqwhisper.distill.ModelSizeReport.Breakdown;
import org.dqwhisper.distill.ModelSizeReport.Component;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.io.WhisperCheckpoint;
import org.dqwhisper.whisper.io.WhisperTensorNames;
import org.junit.jupiter.api.Test;

class ModelSizeReportTest {
    /** The official multilingual dimensions (n_mels 80, 1500 audio positions, 51865 tokens, 448 text positions). */
    static Map<String, long[]> official(int d, int heads, int layers) {
        return WhisperTensorNames.expected(WhisperConfig.of(80, 1500, d, heads, layers, 51865, 448, d, heads, layers));
    }

    private static final Map<String, long[]> TINY = official(384, 6, 4), BASE = official(512, 8, 6), SMALL = official(768, 12, 12);

    @Test
    void paperConventionReproducesThePublishedCompressionRatios() {
        long params = 0;
        for (long[] s : SMALL.values()) params += s[0] * (s.length > 1 ? s[1] : 1) * (s.length > 2 ? s[2] : 1);
        assertEquals(241_734_912L, params, "whisper-small parameters incl. the 1500-position encoder embedding buffer");
        Breakdown small = ModelSizeReport.paperConvention(SMALL, 16);
        Breakdown base8 = ModelSizeReport.paperConvention(BASE, 8);
        Breakdown tiny8 = ModelSizeReport.paperConvention(TINY, 8);
        assertEquals(461.07, small.totalMiB(), 0.005);
        assertEquals(89.13, base8.totalMiB(), 0.005);
        assertEquals(44.02, tiny8.totalMiB(), 0.005);
        // exact ratios, and the paper's 5.18x / 10.48x from the sizes rounded to whole MiB (461 / 89, 461 / 44)
        assertEquals("5.17", fmt(small.totalBits() / (double) base8.totalBits()));
        assertEquals("10.47", fmt(small.totalBits() / (double) tiny8.totalBits()));
        assertEquals("5.18", fmt(ModelSizeReport.roundedMiBRatio(small, base8)));
        assertEquals("10.48", fmt(ModelSizeReport.roundedMiBRatio(small, tiny8)));
        // most of it is the architecture: base in FP16 is 3.33x smaller
        assertEquals("3.33", fmt(small.totalBits() / (double) ModelSizeReport.paperConvention(BASE, 16).totalBits()));
        // components: only the decoder and its token embedding shrink with the width
        Breakdown base16 = ModelSizeReport.paperConvention(BASE, 16);
        assertEquals(base16.encoderBits(), base8.encoderBits());
        assertEquals(51865L * 512 * 8 + 448L * 512 * 16 + 1500L * 512 * 16, base8.embeddingsBits());
        assertTrue(base8.decoderBits() < base16.decoderBits());
        // decoder biases and the positional embedding stay at 16 bits: 4-bit is not a quarter of 16-bit
        assertTrue(ModelSizeReport.paperConvention(BASE, 4).decoderBits() * 4 > base16.decoderBits());
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    @Test
    void componentsFollowTheOpenAiNames() {
        assertEquals(Component.EMBEDDINGS, ModelSizeReport.componentOf("decoder.token_embedding.weight"));
        assertEquals(Component.EMBEDDINGS, ModelSizeReport.componentOf("encoder.positional_embedding"));
        assertEquals(Component.EMBEDDINGS, ModelSizeReport.componentOf("decoder.positional_embedding"));
        assertEquals(Component.ENCODER, ModelSizeReport.componentOf("encoder.conv1.weight"));
        assertEquals(Component.DECODER, ModelSizeReport.componentOf("decoder.blocks.0.mlp.2.bias"));
        assertThrows(IllegalArgumentException.class, () -> ModelSizeReport.componentOf("proj_out.weight"));
    }

    /** Stored sizes and file sizes of a real checkpoint (F16 OpenAI layout vs F32 Hugging Face layout). */
    @Test
    void storedSizesComeFromTheFiles() throws Exception {
        Path openai = Path.of("tests/data/tiny-random-a/openai"), hf = Path.of("tests/data/tiny-random-a/hf");
        try (WhisperCheckpoint s = WhisperCheckpoint.load(openai); WhisperCheckpoint t = WhisperCheckpoint.load(hf)) {
            ModelSizeReport r = ModelSizeReport.of(s, t, 8);
            long params = r.student().parameters();
            assertEquals(params, r.teacher().parameters());
            assertEquals(params * 16, r.student().stored().totalBits());
            assertEquals(params * 32, r.teacher().stored().totalBits());
            assertEquals(params * 16, r.teacher().paper().totalBits());
            assertEquals(Files.size(openai.resolve("model.safetensors")), r.student().fileBytes());
            assertEquals(Files.size(hf.resolve("model.safetensors")), r.teacher().fileBytes());
            assertTrue(r.student().fileBytes() > r.student().stored().totalBytes(), "the file adds its header");
            assertEquals(r.teacher().fileBytes() / (double) r.student().fileBytes(), r.diskRatio());
            // same architecture: the paper ratio is what 8-bit decoder weights alone give
            assertTrue(r.paperRatio() > 1 && r.paperRatio() < 2, "ratio " + r.paperRatio());
            String text = r.format();
            assertTrue(text.contains("paper convention") && text.contains("compression") && text.contains("files on disk"), text);
            assertEquals(params, r.toJson().getAsJsonObject("student").get("parameters").getAsLong());
            ModelSizeReport alone = ModelSizeReport.of(s, null, 4);
            assertTrue(Double.isNaN(alone.paperRatio()));
            assertFalse(alone.format().contains("teacher:") || alone.format().contains("compression"), alone.format());
        }
    }

    @Test
    void badBitsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ModelSizeReport.paperConvention(BASE, 0));
        assertThrows(IllegalArgumentException.class, () -> ModelSizeReport.paperConvention(BASE, 33));
    }
}
