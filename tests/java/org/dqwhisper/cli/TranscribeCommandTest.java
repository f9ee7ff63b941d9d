package org.dqwhisper.cli;

import static org.dqwhisper.decode.PlanModel.ts;
import static org.dqwhisper.decode.PlanModel.word;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dqwhisper.cuda.CudaRuntime;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.PlanModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code dqw transcribe} over the scripted plan model. The audio front end of these tests reads raw 16-bit PCM
 * (only its length matters: the plan model keys its output on the window position) and builds the plan model's
 * frame-index spectrogram.
 */
class TranscribeCommandTest {
    @TempDir
    Path tmp;

    private final List<String> loaded = new ArrayList<>();

    private record Run(int code, String out, String err) {}

    @AfterEach
    void uninstall() {
        SpeechModels.clear();
    }

    private void install() {
        Map<Integer, int[]> plans = Map.of(0, new int[] {ts(0), word(" one"), ts(2), ts(2), word(" two"), ts(5)},
                3000, new int[] {ts(0), word(" three"), ts(1)});
        SpeechModels.install((model, precision, threads) -> {
            loaded.add(model + "/" + precision + "/" + threads);
            return PlanModel.create(plans, 10, 0);
        }, new AudioFrontEnd() {
            @Override
            public float[] load(Path file) throws IOException {
                return new float[(int) (Files.size(file) / 2)];
            }

            @Override
            public MelSource melSpectrogram(float[] samples, int nMels) {
                return PlanModel.frameIndexMel(samples.length / 160);
            }
        });
    }

    private Path rawAudio(String name, double seconds) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, new byte[(int) (seconds * 16000) * 2]);
        return p;
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new TranscribeCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            cmd.getErr().println("dqw transcribe: " + ex.getMessage());
            return 1;
        });
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void transcribesWritesAndPrints() throws IOException {
        install();
        Path audio = rawAudio("talk.raw", 45);
        Path outDir = tmp.resolve("out");
        Run r = run("--model", "tiny.en", "--precision", "int8", "--threads", "3", "-o", outDir.toString(),
                "-f", "srt", audio.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("tiny.en/INT8/3"), loaded);
        assertTrue(r.out().contains("[00:00.000 --> 00:02.000]  one"), r.out());
        assertTrue(r.out().contains("[00:30.000 --> 00:31.000]  three"), r.out());
        String srt = Files.readString(outDir.resolve("talk.srt"), StandardCharsets.UTF_8);
        assertTrue(srt.startsWith("1\n00:00:00,000 --> 00:00:02,000\none\n"), srt);
        assertTrue(r.err().contains("100%"), "progress bar for 45 s of audio: " + r.err());
    }

    @Test
    void allFormatsWordTimestampsAndNoneThresholds() throws IOException {
        install();
        Path audio = rawAudio("short.raw", 10);
        Run r = run("-o", tmp.toString(), "--word-timestamps", "--max-words-per-line", "1", "--verbose", "false",
                "--beam-size", "none", "--temperature-increment-on-fallback", "none",
                "--logprob-threshold", "none", "--no-speech-threshold", "None", audio.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        assertFalse(r.err().contains("%"), "no progress bar under 30 s");
        for (String ext : new String[] {"txt", "vtt", "srt", "tsv", "json"}) {
            assertTrue(Files.exists(tmp.resolve("short." + ext)), ext);
        }
        assertTrue(Files.readString(tmp.resolve("short.json")).contains("\"words\""));
    }

    @Test
    void usageErrors() throws IOException {
        install();
        Path audio = rawAudio("a.raw", 1);
        assertEquals(2, run("--highlight-words", audio.toString()).code(), "needs --word-timestamps");
        assertEquals(2, run("--precision", "fp16", audio.toString()).code());
        assertEquals(2, run("--logprob-threshold", "low", audio.toString()).code());
        assertEquals(2, run("--beam-size", "none", "--patience", "2", audio.toString()).code());
        assertEquals(2, run("--language", "klingon", audio.toString()).code());
        assertEquals(2, run().code(), "no audio file");
        assertTrue(loaded.isEmpty(), "nothing loaded on usage errors");
    }

    @Test
    void aBadFileIsSkippedAndTheOthersDone() throws IOException {
        install();
        Path good = rawAudio("good.raw", 3);
        Run r = run("-o", tmp.toString(), "-f", "txt", tmp.resolve("missing.raw").toString(), good.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Skipping " + tmp.resolve("missing.raw")), r.err());
        assertTrue(Files.exists(tmp.resolve("good.txt")));
    }

    @Test
    void batchedFilesGiveTheSameOutputsAsOneAtATime() throws IOException {
        install();
        List<String> files = new ArrayList<>();
        double[] seconds = {45, 3, 10};
        for (int i = 0; i < seconds.length; i++) files.add(rawAudio("f" + i + ".raw", seconds[i]).toString());
        Map<String, String> outputs = new java.util.HashMap<>();
        for (String batch : new String[] {"1", "2"}) {
            Path dir = tmp.resolve("batch" + batch);
            List<String> args = new ArrayList<>(List.of("--batch-size", batch, "--beam-size", "none", "-f", "srt",
                    "--no-progress", "-o", dir.toString()));
            args.addAll(files);
            Run r = run(args.toArray(new String[0]));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("[00:30.000 --> 00:31.000]  three"), r.out());
            for (int i = 0; i < seconds.length; i++) {
                String srt = Files.readString(dir.resolve("f" + i + ".srt"), StandardCharsets.UTF_8);
                String before = outputs.putIfAbsent("f" + i, srt);
                if (before != null) assertEquals(before, srt, "f" + i + ".srt with --batch-size " + batch);
            }
        }
        assertEquals(2, run("--batch-size", "0", files.get(0), files.get(1)).code(), "batch size 0 is a usage error");
        Run negative = run("--threads", "-2", files.get(0));
        assertEquals(2, negative.code(), "a negative thread count is a usage error");
        assertTrue(negative.err().contains("--threads must be >= 0"), negative.err());
    }

    @Test
    void deviceCudaWithoutADeviceIsAClearError() throws IOException {
        assumeFalse(CudaRuntime.available(), "a CUDA device is present");
        install();
        Run r = run("--device", "cuda", "-o", tmp.toString(), rawAudio("a.raw", 1).toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--device cuda: no usable CUDA device"), r.err());
        assertTrue(loaded.isEmpty(), "no model is loaded");
    }

    @Test
    void deviceAutoFallsBackToTheCpuAndSaysSo() throws IOException {
        assumeFalse(CudaRuntime.available(), "a CUDA device is present");
        install();
        Run r = run("--device", "auto", "-f", "txt", "-o", tmp.toString(), rawAudio("a.raw", 1).toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("device: cpu (--device auto: no usable CUDA device"), r.err());
        assertEquals(1, loaded.size());
    }

    @Test
    void unknownDeviceIsAUsageError() throws IOException {
        install();
        assertEquals(2, run("--device", "tpu", rawAudio("a.raw", 1).toString()).code());
        assertTrue(loaded.isEmpty());
    }

    @Test
    void withoutAnInstalledModelLoaderItSaysSo() throws IOException {
        Run r = run(rawAudio("x.raw", 1).toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no Whisper model loader"), r.err());
    }

    @Test
    void progressBarRendering() {
        assertEquals("f  50% |###############               | 00:30/01:00", ProgressBar.render("f", 3000, 6000));
        assertEquals("f 100% |##############################| 1:00:00/1:00:00",
                ProgressBar.render("f", 360000, 360000));
    }
}
