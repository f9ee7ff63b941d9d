package org.dqwhisper.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dqwhisper.nn.Linear;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperModel;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loading an integer export for inference and releasing the FP32 master weights of its integer Linears
 * ({@link WhisperModel#releaseIntegerMasterWeights}) on the demo student (models/demo-student: 2 decoder blocks of
 * width 120, 10 Linears each): every such weight tensor is freed (exactly out·in·4 bytes each, 1.84 MB in all,
 * and the process's live tensor bytes drop by at least that), the logits are bit-identical before and after
 * (the integer kernels never read the FP32 weight), and what would need the weight fails with a clear message.
 */
class IntegerMasterWeightReleaseTest {
    static final Path STUDENT = Path.of("models/demo-student");

    @ParameterizedTest
    @ValueSource(strings = {"w8", "w4g64"})
    void releasesEveryIntegerLinearsFp32WeightWithUnchangedLogits(String spec, @TempDir Path tmp) throws IOException {
        Path export = tmp.resolve("q");
        try (WhisperModel m = WhisperModel.load(STUDENT, Precision.FP32)) {
            QuantizedExport.quantizeAndWrite(m, QuantConfig.parse(spec), export);
        }
        try (WhisperModel q = WhisperModel.load(export, Precision.FP32);
                Tensor mel = Tensor.allocate("mel", DType.F32, q.config().nMels(), q.config().nMelFrames())) {
            float[] m = new float[(int) mel.numel()];
            Random r = new Random(1);
            for (int i = 0; i < m.length; i++) m[i] = (float) r.nextGaussian();
            mel.copyFrom(m);
            int[] tokens = {50258, 50259, 50359, 50363, 440, 1723, 13};
            float[] before = logits(q, mel, tokens);

            List<Parameter> weights = new ArrayList<>();
            long expected = 0;
            for (Linear l : q.blockLinears().values()) {
                if (!l.hasIntegerWeights()) continue;
                weights.add(l.weightParameter());
                expected += 4L * l.out() * l.in();
            }
            assertEquals(2 * 10, weights.size(), "every decoder block Linear of the demo student runs on integer weights");
            assertEquals(2L * (8 * 120 * 120 + 2 * 480 * 120) * 4, expected);
            long live = Tensor.liveBytes();
            long freed = q.releaseIntegerMasterWeights();
            long dropped = live - Tensor.liveBytes();
            System.out.printf("%s demo student: released %d bytes of FP32 master weights (live tensor bytes %d -> %d)%n", spec, freed, live,
                    live - dropped);
            assertEquals(expected, freed, "bytes of the released FP32 weights");
            // the process-wide count can only drop further (a garbage tensor freed by the Cleaner meanwhile), never less
            assertTrue(dropped >= expected, "live tensor bytes dropped by " + dropped + ", expected at least " + expected);
            for (Parameter p : weights) assertTrue(p.value().isClosed(), p.name() + " is freed");
            assertTrue(q.integerMasterWeightsReleased());
            assertEquals(0, q.releaseIntegerMasterWeights(), "a second release frees nothing");

            assertArrayEquals(before, logits(q, mel, tokens), "logits unchanged (bit for bit)");

            Linear fc1 = q.blockLinears().get("decoder.blocks.0.mlp.0");
            IllegalStateException e = assertThrows(IllegalStateException.class, fc1::weight);
            assertTrue(e.getMessage().contains("decoder.blocks.0.mlp.0") && e.getMessage().contains("released"), e.getMessage());
            e = assertThrows(IllegalStateException.class, q::stateTensors, "no checkpoint or export of a released model");
            assertTrue(e.getMessage().contains("released"), e.getMessage());
            assertThrows(IllegalStateException.class, q::parameters, "no training of a released model");
            Linear encoderFc1 = q.blockLinears().get("encoder.blocks.0.mlp.0");
            assertFalse(encoderFc1.hasIntegerWeights());
            e = assertThrows(IllegalStateException.class, encoderFc1::releaseMasterWeight, "an FP32 layer keeps its weight");
            assertTrue(e.getMessage().contains("encoder.blocks.0.mlp.0"), e.getMessage());
        }
    }

    /** An FP model has no integer Linears: nothing is released and it stays trainable. */
    @ParameterizedTest
    @ValueSource(strings = {"tests/data/tiny-random-a/hf"})
    void aPlainModelKeepsItsWeights(String path) throws IOException {
        try (WhisperModel m = WhisperModel.load(Path.of(path), Precision.FP32)) {
            assertEquals(0, m.releaseIntegerMasterWeights());
            assertFalse(m.integerMasterWeightsReleased());
            assertFalse(m.parameters().isEmpty());
        }
    }

    static float[] logits(WhisperModel q, Tensor mel, int[] tokens) {
        try (Tensor enc = q.encode(mel); Tensor l = q.logits(tokens, enc)) {
            return l.toFloatArray();
        }
    }
}
