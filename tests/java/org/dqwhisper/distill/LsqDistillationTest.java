package org.dqwhisper.distill;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dqwhisper.nn.Linear;
import org.dqwhisper.nn.Parameter;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.quant.QuantConfig;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.train.AdamW;
import org.dqwhisper.train.TrainingBatch;
import org.dqwhisper.train.WhisperInit;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.QuantizedCheckpoint;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LSQ in quantization-aware distillation: the learned step sizes ({@code ln(scale)} parameters of the
 * student's fake-quantized decoder Linears) are trained by the Distiller's AdamW, stay positive, and the
 * export writes exactly the learned scales: every dequantized exported weight equals the fake-quant
 * forward's ŵ bit for bit.
 */
class LsqDistillationTest {
    @ParameterizedTest
    @ValueSource(strings = {"w8c:lsq", "w4g16:lsq", "w8:lsq"})
    void distillationStepsLearnTheScalesAndTheExportUsesThem(String spec, @TempDir Path tmp) throws IOException {
        QuantConfig cfg = QuantConfig.parse(spec);
        Path out = tmp.resolve("q");
        try (WhisperModel teacher = DistillerTest.teacher(1); TrainingBatch batch = DistillerTest.data(teacher, 2, 2);
                WhisperModel student = WhisperInit.random(DistillerTest.STUDENT, 5);
                Distiller d = new Distiller(teacher, student, Distiller.Options.paper().withQuant(cfg))) {
            List<Parameter> scales = student.quantizerParameters();
            assertEquals(DistillerTest.STUDENT.nTextLayer() * 10, scales.size(), "one learned scale tensor per decoder block Linear");
            List<Parameter> trainable = d.trainableParameters();
            for (Parameter p : scales) {
                assertTrue(p.requiresGrad(), p.name());
                assertTrue(trainable.contains(p), p.name() + " is trained by the distiller");
                assertFalse(AdamW.decays(p), p.name() + ": no weight decay on ln(scale)");
            }
            List<float[]> before = new ArrayList<>();
            for (Parameter p : scales) before.add(p.value().toFloatArray());
            for (int step = 0; step < 3; step++) assertTrue(Double.isFinite(d.step(batch, 1e-2).terms().total()));
            int changed = 0, total = 0;
            for (int i = 0; i < scales.size(); i++) {
                float[] a = before.get(i), b = scales.get(i).value().toFloatArray();
                for (int j = 0; j < a.length; j++) {
                    assertTrue(Float.isFinite(b[j]), scales.get(i).name() + "[" + j + "] finite");
                    total++;
                    if (a[j] != b[j]) changed++;
                }
            }
            System.out.printf("%s: %d of %d learned scales changed in 3 steps%n", spec, changed, total);
            assertTrue(changed > total / 2, spec + ": only " + changed + " of " + total + " scales were updated");

            // The quantizers now run on exp(θ); the export writes those scales and their codes.
            QuantizedExport.write(student, cfg, out);
            try (QuantizedCheckpoint ck = QuantizedCheckpoint.open(out)) {
                for (Linear l : student.blockLinears().values()) {
                    if (l.fakeQuant() == null) continue;
                    float[] theta = l.lsqLogScaleParameter().value().toFloatArray();
                    float[] used = l.fakeQuant().scale().toFloatArray();
                    for (int j = 0; j < theta.length; j++) {
                        assertEquals((float) Math.exp(theta[j]), used[j], l.name() + " scale " + j + " = exp(θ)");
                        assertTrue(used[j] > 0);
                    }
                    QuantizedCheckpoint.QuantizedWeight w = ck.weight(l.name());
                    try (Tensor codes = w.codes(); Tensor stored = w.scales(); Tensor deq = QuantizedCheckpoint.dequantize(w);
                            Tensor wHat = Tensor.allocate("wHat", DType.F32, l.out(), l.in())) {
                        float[] s = stored.toFloatArray();
                        for (int j = 0; j < s.length; j++) {
                            float learned = cfg.granularity() == QuantConfig.Granularity.PER_TENSOR ? used[0] : used[j];
                            assertEquals(learned, s[j], l.name() + " exported scale " + j + " is the learned one");
                        }
                        l.fakeQuant().forward(l.weight(), wHat);
                        assertArrayEquals(wHat.toFloatArray(), deq.toFloatArray(), l.name() + ": dequantized export = fake-quant ŵ");
                    }
                }
            }
        }
        try (WhisperModel q = WhisperModel.load(out, Precision.FP32)) {
            assertEquals(DistillerTest.STUDENT.nTextLayer() * 10L, q.blockLinears().values().stream().filter(Linear::hasIntegerWeights).count());
        }
    }
}
