package org.dqwhisper.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.kernels.NnKernels;
import org.dqwhisper.nn.GemmStopwatch;
import org.dqwhisper.nn.Workspace;
import org.dqwhisper.tensor.DType;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;

/**
 * One-off measurement of training on whisper-tiny shapes (d 384, 4 + 4 layers, 6 heads, 80 mels,
 * 1500 audio positions, 51865 tokens) at batch 8 with 32 decoder tokens per utterance: samples/s
 * over a few updates, the share of each update spent in GEMM calls ({@link GemmStopwatch}), the
 * off-heap bytes held by tensors at the end of the forward (the activation peak) and after each
 * update (must not grow), and the process's peak resident size. Not a JMH benchmark: one update
 * takes seconds. Run after {@code mvn -B test-compile}:
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) org.dqwhisper.train.TrainingStepBenchmark [threads] [steps] [batch]}.
 */
public final class TrainingStepBenchmark {
    private TrainingStepBenchmark() {}

    public static void main(String[] args) throws IOException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        boolean freeze = args.length > 3 && args[3].equals("freeze-encoder");
        int tokens = 32;
        CpuRuntime.setThreads(threads);
        WhisperConfig cfg = WhisperConfig.of(80, 1500, 384, 6, 4, 51865, 448, 384, 6, 4);
        Random rnd = new Random(1);
        float[] mel = new float[batch * 80 * 3000];
        for (int i = 0; i < mel.length; i++) mel[i] = (float) rnd.nextGaussian();
        int[][] inputs = new int[batch][tokens];
        int[][] targets = new int[batch][tokens];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                inputs[b][t] = rnd.nextInt(50257);
                targets[b][t] = t < 3 ? TrainingBatch.IGNORE_INDEX : rnd.nextInt(50257);
            }
        }
        BatchSource source = new BatchSource() {
            long position;

            @Override
            public TrainingBatch next() {
                position++;
                return new TrainingBatch(Tensor.of(mel, batch, 80, 3000), inputs, targets);
            }

            @Override
            public long position() {
                return position;
            }

            @Override
            public void seek(long p) {
                position = p;
            }
        };
        System.out.printf(Locale.ROOT, "whisper-tiny shapes, batch %d x %d tokens, %d threads, isa %s%s%n", batch, tokens, threads,
                CpuRuntime.activeIsa(), freeze ? ", encoder frozen" : "");
        try (WhisperModel model = WhisperInit.random(cfg, 1)) {
            if (freeze) model.encoder().setRequiresGrad(false);
            long params = 0;
            for (var p : model.parameters()) params += p.numel();
            System.out.printf(Locale.ROOT, "parameters: %.2f M; weights + grads + 2 moments = %.0f MiB%n", params / 1e6, 16.0 * params / (1 << 20));
            try (Trainer trainer = new Trainer(model, source, new TrainerOptions(100, 1e-5, 0, LearningRateSchedule.Decay.CONSTANT, 0.01, 1.0, 1, 0.1,
                    1, 0.9, 0.999, 1e-8))) {
                long t0 = System.nanoTime();
                trainer.step(); // warm-up: allocates gradients and moments
                System.out.printf(Locale.ROOT, "warm-up update: %.2f s, live tensors %.0f MiB%n", (System.nanoTime() - t0) / 1e9, mib(Tensor.liveBytes()));
                activationPeak(model, mel, batch, inputs, targets);
                GemmStopwatch.reset();
                GemmStopwatch.enable(true);
                double total = 0;
                for (int s = 0; s < steps; s++) {
                    StepResult r = trainer.step();
                    total += r.seconds();
                    System.out.printf(Locale.ROOT, "update %d: %.2f s (%.2f samples/s), loss %.3f, live tensors after %.0f MiB (workspace idle %.0f MiB)%n",
                            r.step(), r.seconds(), r.samples() / r.seconds(), r.loss(), mib(Tensor.liveBytes()), mib(Workspace.idleBytes()));
                }
                GemmStopwatch.enable(false);
                System.out.printf(Locale.ROOT, "mean: %.2f s per update, %.2f samples/s; GEMM %.1f%% of update time (%d calls per update)%n",
                        total / steps, batch * steps / total, 100 * GemmStopwatch.elapsedNanos() / 1e9 / total, GemmStopwatch.calls() / steps);
            }
        }
        System.out.println("process peak resident (VmHWM): " + peakRss());
    }

    /** Workspace bytes lent at the end of a training forward (all activations held) and at the peak of forward + backward. */
    private static void activationPeak(WhisperModel model, float[] mel, int batch, int[][] inputs, int[][] targets) {
        int n = batch * inputs[0].length;
        int[] flat = new int[n];
        for (int b = 0; b < batch; b++) System.arraycopy(targets[b], 0, flat, b * inputs[0].length, inputs[0].length);
        Workspace.resetPeak();
        try (Tensor m = Tensor.of(mel, batch, 80, 3000); WhisperModel.TrainingPass pass = model.forwardTrain(m, inputs);
                Tensor t = Tensor.of(flat, n); Tensor losses = Tensor.allocate(DType.F32, n)) {
            long afterForward = Workspace.lentBytes();
            NnKernels.crossEntropy(pass.logits(), t, TrainingBatch.IGNORE_INDEX, 0f, losses, pass.logits(), 1f / n);
            model.backward(pass, pass.logits());
            System.out.printf(Locale.ROOT, "activations held at the end of the forward: %.0f MiB; peak of forward + backward: %.0f MiB%n",
                    mib(afterForward), mib(Workspace.peakLentBytes()));
        }
        for (var p : model.parameters()) p.zeroGrad();
    }

    private static double mib(long bytes) {
        return bytes / (double) (1 << 20);
    }

    private static String peakRss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) if (line.startsWith("VmHWM")) return line.substring(6).trim();
        return "?";
    }
}
