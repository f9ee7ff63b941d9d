package org.dqwhisper.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.tensor.Tensor;
import org.dqwhisper.whisper.DecoderState;
import org.dqwhisper.whisper.RandomWhisper;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.io.SafetensorsWriter;
import org.dqwhisper.whisper.io.WhisperConfigJson;
import org.dqwhisper.whisper.io.WhisperTensorNames;

/**
 * End-to-end model timings at an official size with random weights of the real shapes (the numbers
 * do not depend on the values): checkpoint load time and resident memory, encoder forward for one 30 s
 * window (cross-attention K/V included, as whisper.cpp counts it), and decoder ms/token on the KV cache.
 */
public final class ModelBenchmark {
    public record Row(String size, String precision, int threads, double loadMs, long rssDeltaMb, double encoderMs,
            double decodeMsPerToken) {}

    private ModelBenchmark() {}

    /** Writes a random model of {@code size} as an OpenAI-layout folder (model.safetensors + dims.json). */
    public static Path writeRandomCheckpoint(String size, Path dir) throws IOException {
        WhisperConfig cfg = RandomWhisper.officialConfig(size);
        RandomWhisper src = new RandomWhisper(cfg, 1);
        Files.createDirectories(dir);
        SafetensorsWriter w = new SafetensorsWriter(dir.resolve("model.safetensors")).metadata("format", "pt");
        List<Tensor> open = new ArrayList<>();
        try {
            for (Map.Entry<String, long[]> e : WhisperTensorNames.expected(cfg).entrySet()) {
                Tensor t = src.take(e.getKey());
                open.add(t);
                w.add(e.getKey(), t);
            }
            w.write();
        } finally {
            for (Tensor t : open) t.close();
        }
        Files.writeString(dir.resolve("dims.json"), WhisperConfigJson.toOpenAiDims(cfg).toString());
        return dir;
    }

    public static Row run(String size, Path checkpoint, Precision precision, int threads, int encoderRuns, int tokens) throws IOException {
        CpuRuntime.setThreads(threads);
        HeapWarmup.cycleYoungGeneration(); // decoding allocates (logits, pointers): see HeapWarmup
        long rss0 = rssMb();
        long t0 = System.nanoTime();
        try (WhisperModel m = WhisperModel.load(checkpoint, precision)) {
            double loadMs = (System.nanoTime() - t0) / 1e6;
            long rss = rssMb() - rss0;
            WhisperConfig c = m.config();
            float[] melValues = new float[c.nMels() * m.encoder().nFrames()];
            java.util.SplittableRandom r = new java.util.SplittableRandom(3);
            for (int i = 0; i < melValues.length; i++) melValues[i] = (float) (r.nextDouble() * 2 - 1);
            double[] enc = new double[encoderRuns];
            Tensor audio = null;
            try (Tensor mel = Tensor.of(melValues, c.nMels(), m.encoder().nFrames())) {
                for (int i = 0; i < encoderRuns + 1; i++) {
                    long s = System.nanoTime();
                    Tensor a = m.encode(mel);
                    DecoderState st = m.newState(a); // cross-attention K/V, as whisper.cpp's encoder time includes
                    st.close();
                    if (i > 0) enc[i - 1] = (System.nanoTime() - s) / 1e6; // first run is warm-up
                    if (audio != null) audio.close();
                    audio = a;
                }
                Arrays.sort(enc);
                double decode;
                try (DecoderState st = m.newState(audio)) {
                    int sot = c.sotId().orElse(0);
                    m.decode(st, new int[] {sot, sot + 1, sot + 101, sot + 105}).close();
                    long s = System.nanoTime();
                    int tok = 400;
                    for (int i = 0; i < tokens; i++) {
                        try (Tensor l = m.decode(st, new int[] {tok})) {
                            tok = 200 + (i * 37) % 20000;
                        }
                    }
                    decode = (System.nanoTime() - s) / 1e6 / tokens;
                }
                return new Row(size, precision.name().toLowerCase(), threads, loadMs, rss, enc[enc.length / 2], decode);
            } finally {
                if (audio != null) audio.close();
            }
        }
    }

    /** Resident set size of this process in MiB (Linux /proc), or -1. */
    public static long rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
