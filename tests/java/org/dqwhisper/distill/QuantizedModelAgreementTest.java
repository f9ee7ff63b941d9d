package org.dqwhisper.distill;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.SafetensorsFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fixture model tiny-random-a with its decoder Linears fake-quantized (inputs per row 8-bit, as
 * the integer GEMMs do) against the same model on the integer kernels with the exported codes and
 * scales: greedy argmax identical at every position and |Δlogit| ≤ 1e-3 (the criterion; the
 * two differ only in FP32 summation order vs exact s32 sums, ~1e-6 per layer).
 */
class QuantizedModelAgreementTest {
    static final Path DIR = Path.of("tests/data/tiny-random-a");

    static int argmax(float[] v, int row, int cols) {
        int best = 0;
        for (int j = 1; j < cols; j++) if (v[row * cols + j] > v[row * cols + best]) best = j;
        return best;
    }

    @ParameterizedTest
    @ValueSource(strings = {"w8", "w8c", "w8a8", "w4g64"})
    void fakeQuantForwardMatchesIntegerKernels(String spec) throws IOException {
        int[] tokens = {50258, 50259, 50359, 50363, 440, 1723, 13, 2221, 257};
        try (SafetensorsFile ex = SafetensorsFile.open(DIR.resolve("expected.safetensors"));
                Tensor mel = ex.readF32("mel", "mel");
                WhisperModel m = WhisperModel.load(DIR.resolve("hf"), Precision.FP32);
                Tensor enc = m.encode(mel)) {
            int vocab = m.config().nVocab();
            int[] toks = new int[tokens.length];
            for (int i = 0; i < toks.length; i++) toks[i] = Math.floorMod(tokens[i], vocab);
            float[] fp;
            try (Tensor l = m.logits(toks, enc)) {
                fp = l.toFloatArray();
            }
            int layers = m.enableFakeQuant(QuantConfig.parse(spec), true);
            assertEquals(m.config().nTextLayer() * 10, layers, "every decoder block Linear (q,k,v,out × 2, fc1, fc2)");
            float[] fq, in;
            try (Tensor l = m.logits(toks, enc)) {
                fq = l.toFloatArray();
            }
            assertEquals(layers, m.useIntegerWeights());
            try (Tensor l = m.logits(toks, enc)) {
                in = l.toFloatArray();
            }
            double maxDiff = 0, quantEffect = 0;
            for (int i = 0; i < fq.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(fq[i] - in[i]));
                quantEffect = Math.max(quantEffect, Math.abs(fq[i] - fp[i]));
            }
            System.out.printf("%s: max abs logit diff fake-quant vs integer %.3g, quantization effect %.3g%n", spec, maxDiff, quantEffect);
            assertTrue(maxDiff <= 1e-3, spec + ": max |Δlogit| fake-quant vs integer " + maxDiff);
            assertTrue(quantEffect > 1e-4, spec + ": quantization must change the logits (max change " + quantEffect + ")");
            for (int t = 0; t < toks.length; t++) assertEquals(argmax(fq, t, vocab), argmax(in, t, vocab), spec + " argmax at " + t);
        }
    }
}
