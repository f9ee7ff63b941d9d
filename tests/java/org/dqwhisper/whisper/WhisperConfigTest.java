package org.dqwhisper.whisper;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.dqwhisper.whisper.WhisperConfig.AlignmentHead;
import org.dqwhisper.whisper.io.CheckpointFormatException;
import org.dqwhisper.whisper.io.TorchCheckpointReader;
import org.dqwhisper.whisper.io.WhisperConfigJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WhisperConfigTest {
    static final Path DIMS = Path.of("tests/data/tiny-random-a/openai/dims.json");
    static final Path HF_CONFIG = Path.of("tests/data/tiny-random-a/hf/config.json");
    static final Path PT = Path.of("tests/data/tiny-random-a/openai/model.pt");

    @TempDir
    Path dir;

    /** tiny-random-a as the README describes it. */
    static WhisperConfig tinyRandomA() {
        return new WhisperConfig(80, 1500, 64, 4, 2, 51865, 448, 64, 4, 2, 256, 256, OptionalInt.of(50257), OptionalInt.of(50258), List.of());
    }

    @Test
    void allThreeSourcesGiveTheSameConfig() throws IOException {
        WhisperConfig fromDims = WhisperConfigJson.readOpenAiDims(DIMS);
        WhisperConfig fromHf = WhisperConfigJson.readHfConfig(HF_CONFIG);
        WhisperConfig fromPickle;
        try (TorchCheckpointReader pt = TorchCheckpointReader.open(PT)) {
            fromPickle = WhisperConfigJson.fromOpenAiDims(pt.dims(), PT);
        }
        assertEquals(tinyRandomA(), fromDims);
        assertEquals(tinyRandomA(), fromHf);
        assertEquals(tinyRandomA(), fromPickle);
    }

    @Test
    void derivedValues() {
        WhisperConfig c = tinyRandomA();
        assertEquals(16, c.audioHeadDim());
        assertEquals(16, c.textHeadDim());
        assertEquals(3000, c.nMelFrames());
        assertTrue(c.isMultilingual());
        assertFalse(c.isEnglishOnly());
        assertEquals(99, c.numLanguages());
        WhisperConfig en = WhisperConfig.of(80, 1500, 384, 6, 4, 51864, 448, 384, 6, 4);
        assertTrue(en.isEnglishOnly());
        assertEquals(OptionalInt.of(50256), en.eotId());
        assertEquals(OptionalInt.of(50257), en.sotId());
        assertEquals(1536, en.encoderFfnDim());
        WhisperConfig v3 = WhisperConfig.of(128, 1500, 1280, 20, 32, 51866, 448, 1280, 20, 32);
        assertEquals(100, v3.numLanguages());
        assertEquals(OptionalInt.of(50258), v3.sotId());
        assertEquals(OptionalInt.empty(), WhisperConfig.of(80, 1500, 64, 4, 1, 1000, 448, 64, 4, 1).eotId(), "non-standard vocabulary");
    }

    @Test
    void invalidValuesAreRejectedWithTheirNames() {
        assertMessage(() -> WhisperConfig.of(80, 1500, 64, 5, 2, 51865, 448, 64, 4, 2), "n_audio_state 64 is not divisible by n_audio_head 5");
        assertMessage(() -> WhisperConfig.of(80, 1500, 64, 4, 2, 51865, 448, 64, 3, 2), "n_text_state 64 is not divisible by n_text_head 3");
        assertMessage(() -> WhisperConfig.of(0, 1500, 64, 4, 2, 51865, 448, 64, 4, 2), "n_mels must be positive, got 0");
        assertMessage(() -> WhisperConfig.of(80, 1500, 64, 4, -1, 51865, 448, 64, 4, 2), "n_audio_layer must be positive");
        assertMessage(() -> WhisperConfig.of(80, 1500, 64, 4, 2, 51865, 448, 128, 4, 2), "n_audio_state 64 != n_text_state 128");
        assertMessage(() -> tinyRandomA().withAlignmentHeads(List.of(new AlignmentHead(2, 0))), "outside 2 decoder layers x 4 heads");
        assertMessage(() -> tinyRandomA().withAlignmentHeads(List.of(new AlignmentHead(1, 1), new AlignmentHead(1, 1))), "twice");
        assertMessage(() -> tinyRandomA().withTokenIds(OptionalInt.of(51865), OptionalInt.empty()), "eot id 51865 is outside");
        assertMessage(() -> tinyRandomA().withFfnDims(0, 256), "encoder ffn dim must be positive");
    }

    private static void assertMessage(Runnable r, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void badConfigFilesNameTheFileAndTheField() throws IOException {
        JsonObject dims = JsonParser.parseString(Files.readString(DIMS)).getAsJsonObject();
        dims.remove("n_text_head");
        assertFileError(dims, "dims.json", true, "dims lacks 'n_text_head'");
        dims = JsonParser.parseString(Files.readString(DIMS)).getAsJsonObject();
        dims.addProperty("n_mels", 80.5);
        assertFileError(dims, "dims.json", true, "'n_mels' is 80.5, not a 32-bit integer");
        dims.addProperty("n_mels", 80);
        dims.addProperty("n_audio_head", 7);
        assertFileError(dims, "dims.json", true, "invalid dims: n_audio_state 64 is not divisible by n_audio_head 7");

        JsonObject hf = JsonParser.parseString(Files.readString(HF_CONFIG)).getAsJsonObject();
        hf.addProperty("model_type", "bert");
        assertFileError(hf, "config.json", false, "model_type is \"bert\"");
        hf = JsonParser.parseString(Files.readString(HF_CONFIG)).getAsJsonObject();
        hf.addProperty("activation_function", "relu");
        assertFileError(hf, "config.json", false, "activation_function \"relu\" is not supported");
        hf = JsonParser.parseString(Files.readString(HF_CONFIG)).getAsJsonObject();
        hf.remove("d_model");
        assertFileError(hf, "config.json", false, "config lacks 'd_model'");

        Path broken = dir.resolve("config.json");
        Files.writeString(broken, "{\"d_model\": 64,");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> WhisperConfigJson.readHfConfig(broken));
        assertTrue(e.getMessage().startsWith(broken.toString()) && e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    private void assertFileError(JsonObject json, String name, boolean openAi, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, json.toString());
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> {
                    if (openAi) WhisperConfigJson.readOpenAiDims(p);
                    else WhisperConfigJson.readHfConfig(p);
                });
        assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void writesTheFixtureFilesBack() throws IOException {
        WhisperConfig c = tinyRandomA();
        assertEquals(JsonParser.parseString(Files.readString(DIMS)), WhisperConfigJson.toOpenAiDims(c));
        assertEquals(JsonParser.parseString(Files.readString(HF_CONFIG)), WhisperConfigJson.toHfConfig(c, "float32"),
                "the same keys and values as transformers' save_pretrained wrote");
    }

    @Test
    void nonDefaultValuesSurviveAHuggingFaceRoundTrip() throws IOException {
        WhisperConfig c = new WhisperConfig(128, 750, 96, 3, 5, 51866, 224, 96, 6, 3, 200, 300,
                OptionalInt.of(50257), OptionalInt.of(50258), List.of(new AlignmentHead(2, 5), new AlignmentHead(0, 1)));
        Files.writeString(dir.resolve("config.json"), WhisperConfigJson.toHfConfig(c, "float16").toString());
        Files.writeString(dir.resolve("generation_config.json"), WhisperConfigJson.toHfGenerationConfig(c).toString());
        assertEquals(c, WhisperConfigJson.readHfConfig(dir.resolve("config.json")));
        Files.writeString(dir.resolve("dims.json"), WhisperConfigJson.toOpenAiDims(c).toString());
        WhisperConfig dims = WhisperConfigJson.readOpenAiDims(dir.resolve("dims.json"));
        assertEquals(c.withFfnDims(4 * 96, 4 * 96).withAlignmentHeads(List.of()), dims, "dims.json has no ffn widths or alignment heads");
    }

    @Test
    void generationConfigAlignmentHeadsAreRead() throws IOException {
        Files.copy(HF_CONFIG, dir.resolve("config.json"));
        Files.writeString(dir.resolve("generation_config.json"), "{\"alignment_heads\": [[1, 0], [1, 3], [0, 2]], \"max_length\": 448}");
        WhisperConfig c = WhisperConfigJson.readHfConfig(dir.resolve("config.json"));
        assertEquals(List.of(new AlignmentHead(1, 0), new AlignmentHead(1, 3), new AlignmentHead(0, 2)), c.alignmentHeads());
        Files.writeString(dir.resolve("generation_config.json"), "{\"alignment_heads\": [[2, 0]]}");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> WhisperConfigJson.readHfConfig(dir.resolve("config.json")));
        assertTrue(e.getMessage().contains("generation_config.json") && e.getMessage().contains("outside 2 decoder layers"), e.getMessage());
    }
}
