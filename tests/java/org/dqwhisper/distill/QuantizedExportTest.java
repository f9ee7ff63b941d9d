package org.dqwhisper.distill;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dqwhisper.cli.Main;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.QuantizedCheckpoint;
import org.dqwhisper.whisper.io.SafetensorsFile;
import org.dqwhisper.whisper.io.StorageDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Export of the fixture model tiny-random-a with quantized decoder Linears, loaded back by
 * {@code WhisperModel.load} onto the integer GEMMs: the loaded model's logits equal the fake-quant
 * forward (inputs quantized per row, as the integer kernels do): argmax identical and |Δ| ≤ 1e-3
 * (the criterion; only FP32 summation order vs exact s32 sums differs).
 */
class QuantizedExportTest {
    static final Path DIR = Path.of("tests/data/tiny-random-a");
    static final int[] TOKENS = {50258, 50259, 50359, 50363, 440, 1723, 13, 2221, 257};

    static float[] logits(WhisperModel m, Tensor enc) {
        int vocab = m.config().nVocab();
        int[] toks = new int[TOKENS.length];
        for (int i = 0; i < toks.length; i++) toks[i] = Math.floorMod(TOKENS[i], vocab);
        try (Tensor l = m.logits(toks, enc)) {
            return l.toFloatArray();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"w8", "w8c", "w8a8", "w4g64", "w4"})
    void exportedModelRunsWhatTheFakeQuantForwardComputes(String spec, @TempDir Path tmp) throws IOException {
        QuantConfig cfg = QuantConfig.parse(spec);
        Path out = tmp.resolve("q");
        float[] fq, loaded;
        try (SafetensorsFile ex = SafetensorsFile.open(DIR.resolve("expected.safetensors")); Tensor mel = ex.readF32("mel", "mel")) {
            try (WhisperModel m = WhisperModel.load(DIR.resolve("hf"), Precision.FP32); Tensor enc = m.encode(mel)) {
                m.enableFakeQuant(cfg, true);
                fq = logits(m, enc);
                QuantizedExport.write(m, cfg, out);
            }
            try (WhisperModel q = WhisperModel.load(out, Precision.FP32); Tensor enc = q.encode(mel)) {
                long integer = q.blockLinears().values().stream().filter(l -> l.hasIntegerWeights()).count();
                assertEquals(q.config().nTextLayer() * 10L, integer, "every decoder block Linear runs on integer weights");
                assertTrue(q.blockLinears().values().stream().filter(l -> l.name().startsWith("encoder")).noneMatch(l -> l.hasIntegerWeights()));
                loaded = logits(q, enc);
            }
        }
        int vocab = fq.length / TOKENS.length;
        double max = 0;
        for (int i = 0; i < fq.length; i++) max = Math.max(max, Math.abs(fq[i] - loaded[i]));
        assertTrue(max <= 1e-3, spec + ": max |Δlogit| " + max);
        for (int t = 0; t < TOKENS.length; t++) {
            assertEquals(QuantizedModelAgreementTest.argmax(fq, t, vocab), QuantizedModelAgreementTest.argmax(loaded, t, vocab), spec + " argmax " + t);
        }
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertEquals(cfg.toString(), f.metadata().get("quant"));
            boolean eight = cfg.weightBits() == 8;
            String p = "decoder.blocks.0.mlp.0.weight";
            assertEquals(eight ? StorageDType.I8 : StorageDType.U8, f.info(p + (eight ? ".int8" : ".int4")).dtype());
            assertFalse(f.names().contains(p), "the FP32 weight of a quantized Linear is not stored");
            assertTrue(f.names().contains("encoder.blocks.0.mlp.0.weight"));
            assertEquals(StorageDType.F32, f.info(p + ".scale").dtype());
        }
        assertTrue(Files.isRegularFile(out.resolve("dims.json")));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary folder left beside the export");
        }
    }

    /**
     * With the token embedding in 8-bit storage the loaded embedding is the per-row dequantized one (each value
     * within half a step, max|row|/254, of the FP32 value) and the file shrinks by about 3/4 of the embedding.
     */
    @Test
    void int8EmbeddingIsStoredPerRowAndDequantizedOnLoad(@TempDir Path tmp) throws IOException {
        QuantConfig cfg = QuantConfig.parse("w8");
        float[] fp;
        long v, d;
        try (WhisperModel m = WhisperModel.load(DIR.resolve("hf"), Precision.FP32)) {
            fp = m.stateTensors().get(QuantizedExport.TOKEN_EMBEDDING).toFloatArray();
            v = m.config().nVocab();
            d = m.config().nTextState();
            QuantizedExport.quantizeAndWrite(m, cfg, tmp.resolve("plain"), false);
        }
        try (WhisperModel m = WhisperModel.load(DIR.resolve("hf"), Precision.FP32)) {
            QuantizedExport.quantizeAndWrite(m, cfg, tmp.resolve("emb"), true);
        }
        try (SafetensorsFile f = SafetensorsFile.open(tmp.resolve("emb/model.safetensors"))) {
            assertEquals(StorageDType.I8, f.info(QuantizedExport.TOKEN_EMBEDDING + ".int8").dtype());
            assertFalse(f.names().contains(QuantizedExport.TOKEN_EMBEDDING));
        }
        long saved = Files.size(tmp.resolve("plain/model.safetensors")) - Files.size(tmp.resolve("emb/model.safetensors"));
        assertTrue(saved >= 3 * v * d - 8 * v, "saved " + saved + " bytes of a " + (4 * v * d) + "-byte embedding");
        try (WhisperModel q = WhisperModel.load(tmp.resolve("emb"), Precision.FP32)) {
            float[] back = q.stateTensors().get(QuantizedExport.TOKEN_EMBEDDING).toFloatArray();
            for (int r = 0; r < v; r++) {
                float max = 0;
                for (int c = 0; c < d; c++) max = Math.max(max, Math.abs(fp[(int) (r * d + c)]));
                for (int c = 0; c < d; c++) {
                    int i = (int) (r * d + c);
                    assertEquals(fp[i], back[i], max / 254f * 1.0001f + 1e-12f, "embedding [" + r + "," + c + "]");
                }
            }
        }
    }

    @Test
    void misuseIsRejected(@TempDir Path tmp) throws IOException {
        try (WhisperModel m = WhisperModel.load(DIR.resolve("hf"), Precision.FP32)) {
            assertThrows(IllegalArgumentException.class, () -> QuantizedExport.quantizeAndWrite(m, QuantConfig.parse("w8g64"), tmp.resolve("a")));
            assertThrows(IllegalArgumentException.class, () -> QuantizedExport.quantizeAndWrite(m, QuantConfig.parse("w8:asym"), tmp.resolve("b")));
            Files.writeString(tmp.resolve("c"), "x");
            assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> QuantizedExport.write(m, QuantConfig.parse("w8"), tmp.resolve("c")));
        }
    }

    @Test
    void quantizeCommandWritesALoadableModel(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("ptq");
        assertEquals(0, Main.run(new String[] {"quantize", "--model", DIR.resolve("hf").toString(), "--quant", "w4g64", "--out", out.toString()}));
        assertTrue(QuantizedCheckpoint.isQuantized(out));
        try (WhisperModel q = WhisperModel.load(out, Precision.FP32)) {
            assertTrue(q.blockLinears().get("decoder.blocks.0.attn.query").int4Weights() != null);
        }
        assertNotEquals(0, Main.run(new String[] {"quantize", "--model", DIR.resolve("hf").toString(), "--quant", "w8", "--out", out.toString()}),
                "an existing export is not overwritten");
    }
}
