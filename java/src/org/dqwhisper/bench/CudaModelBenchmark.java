package org.dqwhisper.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.dqwhisper.decode.AudioFeatures;
import org.dqwhisper.decode.DecoderSession;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.cuda.CudaSpeechModel;

/**
 * Whole-model timings on the GPU for official shapes with random weights: encoder ms per 30 s window (the cross K/V
 * included, as {@link ModelBenchmark} counts it on the CPU) and decoder ms per token on the device KV cache, for the
 * FP16 and INT8 CUDA paths, next to the CPU FP32 / INT8 figures of {@link ModelBenchmark} on the same machine.
 * One JSON object per line on stdout (for scripts/gpu-check.sh):
 * {@code java -cp ... org.dqwhisper.bench.CudaModelBenchmark [sizes=base,small] [encoderRuns=10] [tokens=64] [cpuThreads=0]}
 * (cpuThreads 0 skips the CPU rows).
 */
public final class CudaModelBenchmark {
    private CudaModelBenchmark() {}

    public static void main(String[] args) throws IOException {
        List<String> sizes = List.of((args.length > 0 ? args[0] : "base,small").split(","));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int cpuThreads = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        for (String size : sizes) {
            Path dir = Files.createTempDirectory("dqw-cuda-bench-" + size);
            try {
                Path ck = ModelBenchmark.writeRandomCheckpoint(size, dir);
                try (WhisperModel m = WhisperModel.load(ck, Precision.FP32)) {
                    for (boolean int8 : new boolean[] {false, true}) {
                        System.out.println(gpuRow(size, m, int8, runs, tokens));
                    }
                }
                if (cpuThreads > 0) {
                    for (Precision p : new Precision[] {Precision.FP32, Precision.INT8}) {
                        ModelBenchmark.Row r = ModelBenchmark.run(size, ck, p, cpuThreads, Math.max(1, runs / 5), Math.min(tokens, 16));
                        System.out.println(String.format(Locale.ROOT,
                                "{\"size\":\"%s\",\"device\":\"cpu\",\"precision\":\"%s\",\"threads\":%d,\"encoder_ms\":%.3f,\"decode_ms_per_token\":%.4f}",
                                size, r.precision(), r.threads(), r.encoderMs(), r.decodeMsPerToken()));
                    }
                }
            } finally {
                try (var s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    static String gpuRow(String size, WhisperModel m, boolean int8, int runs, int tokens) {
        WhisperConfig c = m.config();
        float[] mel = new float[c.nMels() * m.encoder().nFrames()];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < mel.length; i++) mel[i] = (float) (r.nextDouble() * 2 - 1);
        long u0 = System.nanoTime();
        try (CudaSpeechModel g = CudaSpeechModel.upload(m, size, int8)) {
            double uploadMs = (System.nanoTime() - u0) / 1e6;
            double[] enc = new double[runs];
            AudioFeatures audio = null;
            try {
                for (int i = 0; i < runs + 2; i++) { // two warm-up runs
                    long s = System.nanoTime();
                    AudioFeatures a = g.encode(mel); // ends with a stream sync
                    if (i >= 2) enc[i - 2] = (System.nanoTime() - s) / 1e6;
                    if (audio != null) audio.close();
                    audio = a;
                }
                Arrays.sort(enc);
                int sot = c.sotId().orElse(0);
                double decode;
                try (DecoderSession st = g.startDecoder(audio)) {
                    st.feed(new int[] {sot, sot + 1, sot + 101, sot + 105}, 3);
                    int tok = 400;
                    for (int i = 0; i < 4; i++) st.feed(new int[] {tok}, 0); // warm-up
                    long s = System.nanoTime();
                    for (int i = 0; i < tokens; i++) {
                        st.feed(new int[] {tok}, 0); // logits of the row copied back: a sync per token, as greedy decoding needs
                        tok = 200 + (i * 37) % 20000;
                    }
                    decode = (System.nanoTime() - s) / 1e6 / tokens;
                }
                List<String> f = new ArrayList<>();
                f.add("\"size\":\"" + size + "\"");
                f.add("\"device\":\"cuda\"");
                f.add("\"precision\":\"" + (int8 ? "int8" : "fp16") + "\"");
                f.add(String.format(Locale.ROOT, "\"upload_ms\":%.1f", uploadMs));
                f.add(String.format(Locale.ROOT, "\"encoder_ms\":%.3f", enc[enc.length / 2]));
                f.add(String.format(Locale.ROOT, "\"encoder_ms_best\":%.3f", enc[0]));
                f.add(String.format(Locale.ROOT, "\"decode_ms_per_token\":%.4f", decode));
                f.add(String.format(Locale.ROOT, "\"decode_tokens_per_s\":%.1f", 1000.0 / decode));
                return "{" + String.join(",", f) + "}";
            } finally {
                if (audio != null) audio.close();
            }
        }
    }
}
