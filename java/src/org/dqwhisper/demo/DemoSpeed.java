package org.dqwhisper.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.whisper.WhisperModel;

/**
 * FP32 vs INT8 inference time of the student on our kernels: the same test utterances transcribed (encoder + greedy
 * decoding) by the teacher (FP32), the FP32 student, its W8 export (decoder Linears on the INT8 GEMM, the rest FP32,
 * as scored in the table) and that export with every GEMM in INT8 (encoder and logits too: {@link Precision#INT8}).
 * Timed on one kernel thread, by that thread's CPU time where the JVM supports it (time a neighbour takes the core away
 * does not count; wall time otherwise); rounds are interleaved and each model's best round is kept, so machine noise
 * hits all alike. (A wall-clock run on this project's shared 2-core machine once read 1.78x where quiet runs read
 * 2.6x.)
 */
final class DemoSpeed {
    static final int ROUNDS = 5;

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    /** Whether rounds are timed by the calling thread's CPU time (else wall time). */
    static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

    private DemoSpeed() {}

    private static long now() {
        return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    static DemoResults.Speed measure(Path teacher, Path fpStudent, Path w8Student, DemoData test, DemoEvaluator evaluator, int utterances,
            PrintStream log) throws IOException {
        List<String> names = List.of("teacher FP32", "student FP32", "student W8 decoder", "student all-INT8");
        List<WhisperModel> models = new ArrayList<>();
        try {
            models.add(WhisperModel.load(teacher, Precision.FP32));
            models.add(WhisperModel.load(fpStudent, Precision.FP32));
            models.add(WhisperModel.load(w8Student, Precision.FP32));
            models.add(WhisperModel.load(w8Student, Precision.INT8));
            for (WhisperModel m : models.subList(2, 4)) m.releaseIntegerMasterWeights(); // as the CLI's inference loader does
            int n = Math.min(utterances, test.size());
            int threads = org.dqwhisper.kernels.CpuRuntime.threads();
            org.dqwhisper.kernels.CpuRuntime.setThreads(1); // single-thread figures: steadier on a shared machine
            double[] best = new double[models.size()];
            java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
            for (DemoData.Utterance u : test.utterances().subList(0, Math.min(2, n))) {
                for (WhisperModel m : models) evaluator.transcribe(m, u); // warm-up: packing, JIT
            }
            for (int round = 0; round < ROUNDS; round++) {
                for (int k = 0; k < models.size(); k++) {
                    long t = now();
                    for (int i = 0; i < n; i++) evaluator.transcribe(models.get(k), test.get(i));
                    best[k] = Math.min(best[k], (now() - t) / 1e9);
                }
            }
            org.dqwhisper.kernels.CpuRuntime.setThreads(threads);
            DemoEvaluator.Scores allInt8 = evaluator.evaluate(models.get(3), test);
            double[] msPerUtterance = new double[best.length];
            for (int k = 0; k < best.length; k++) {
                msPerUtterance[k] = 1000 * best[k] / n;
                log.printf(Locale.ROOT, "demo: speed %-20s %8.1f ms per utterance%n", names.get(k), msPerUtterance[k]);
            }
            log.printf(Locale.ROOT, "demo: student all-INT8 test CER %.2f%%, speed-up over FP32 %.2fx%n", 100 * allInt8.meanCer(),
                    msPerUtterance[1] / msPerUtterance[3]);
            return new DemoResults.Speed(names, msPerUtterance, n, allInt8.meanCer());
        } finally {
            for (WhisperModel m : models) m.close();
        }
    }
}
