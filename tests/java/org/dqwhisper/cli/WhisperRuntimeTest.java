package org.dqwhisper.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.dqwhisper.distill.QuantizedExport;
import org.dqwhisper.nn.Linear;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.WhisperSpeechModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's CPU inference loader drops the FP32 master weights of an integer export's Linears, and only those. */
class WhisperRuntimeTest {
    static final Path FIXTURE = Path.of("tests/data/tiny-random-a/hf");

    @Test
    void cpuInferenceLoadReleasesIntegerMasterWeightsWithSameLogits(@TempDir Path tmp) throws IOException {
        Path export = tmp.resolve("w8");
        try (WhisperModel m = WhisperModel.load(FIXTURE, org.dqwhisper.nn.Precision.FP32)) {
            QuantizedExport.quantizeAndWrite(m, QuantConfig.parse("w8"), export);
        }
        int[] tokens = {1, 2, 3};
        float[] kept;
        try (WhisperModel full = WhisperModel.load(export, org.dqwhisper.nn.Precision.FP32)) {
            kept = logits(full, tokens);
        }
        try (WhisperSpeechModel s = WhisperRuntime.loadModel(export.toString(), SpeechModelLoader.Precision.FP32, 0)) {
            assertTrue(s.model().integerMasterWeightsReleased());
            for (Linear l : s.model().blockLinears().values()) assertEquals(l.hasIntegerWeights(), l.masterWeightReleased(), l.name());
            assertArrayEquals(kept, logits(s.model(), tokens), "same logits without the FP32 master weights");
        }
        try (WhisperSpeechModel s = WhisperRuntime.loadModel(FIXTURE.toString(), SpeechModelLoader.Precision.INT8, 0)) {
            assertFalse(s.model().integerMasterWeightsReleased(), "an FP checkpoint (dynamic INT8 from FP32) keeps its weights");
        }
    }

    static float[] logits(WhisperModel m, int[] tokens) {
        try (Tensor mel = Tensor.allocate("mel", org.dqwhisper.tensor.DType.F32, m.config().nMels(), m.config().nMelFrames())) {
            mel.fill(0.25f);
            try (Tensor enc = m.encode(mel); Tensor l = m.logits(tokens, enc)) {
                return l.toFloatArray();
            }
        }
    }
}
