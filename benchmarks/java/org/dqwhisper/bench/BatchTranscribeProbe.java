package org.dqwhisper.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.dqwhisper.audio.AudioLoader;
import org.dqwhisper.audio.LogMelSpectrogram;
import org.dqwhisper.audio.MelSpectrogram;
import org.dqwhisper.decode.BatchTranscriber;
import org.dqwhisper.decode.DecodingOptions;
import org.dqwhisper.decode.MelSource;
import org.dqwhisper.decode.TranscribeOptions;
import org.dqwhisper.decode.Transcriber;
import org.dqwhisper.decode.Transcription;
import org.dqwhisper.kernels.CpuRuntime;
import org.dqwhisper.nn.Precision;
import org.dqwhisper.whisper.RandomWhisper;
import org.dqwhisper.whisper.WhisperConfig;
import org.dqwhisper.whisper.WhisperModel;
import org.dqwhisper.whisper.WhisperSpeechModel;

/**
 * Files/s of {@link BatchTranscriber} against one {@link Transcriber} call per file, on a random-weight model of
 * an official size with N copies of tests/data/audio/jfk.flac, greedy or beam search (temperature 0, no fallback).
 * Three ways, alternating (reps of each) so machine noise hits all alike, checked to give the same transcriptions:
 * <ul>
 *   <li>row by row: one file at a time, one decoder forward per hypothesis ({@link RowByRowModel}: decoding
 *       without lock-step batching);</li>
 *   <li>sequential: one file at a time, the hypotheses of a window (beams) in one forward per step;</li>
 *   <li>batched: {@code batchSize} files at a time, every hypothesis of every window in one forward per step.</li>
 * </ul>
 *
 * <p>Args: size (tiny) precision (fp32) files (8) batchSize (8) sampleLen (64) reps (2) threads (1) fullLength
 * (false; true suppresses end-of-text and timestamps so that every window decodes sampleLen tokens, as speech
 * would, instead of the few a random model gives) beamSize (0: greedy).
 * Run: {@code mvn -B -o test-compile exec:exec@main -Dmain.class=org.dqwhisper.bench.BatchTranscribeProbe
 * -Dmain.args="tiny fp32 8 8 64 2 1"}.
 */
public final class BatchTranscribeProbe {
    public static void main(String[] args) throws Exception {
        String size = args.length > 0 ? args[0] : "tiny";
        Precision p = Precision.parse(args.length > 1 ? args[1] : "fp32");
        int files = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int sampleLen = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        int reps = args.length > 5 ? Integer.parseInt(args[5]) : 2;
        CpuRuntime.setThreads(args.length > 6 ? Integer.parseInt(args[6]) : 1);
        boolean fullLength = args.length > 7 && Boolean.parseBoolean(args[7]);
        int beamSize = args.length > 8 ? Integer.parseInt(args[8]) : 0;
        WhisperConfig c = RandomWhisper.officialConfig(size);
        float[] pcm = AudioLoader.load(Path.of("tests/data/audio/jfk.flac"));
        MelSpectrogram m = new LogMelSpectrogram(c.nMels()).compute(pcm, LogMelSpectrogram.CHUNK_SAMPLES);
        MelSource mel = MelSource.of(m.toFloatArray(), c.nMels(), m.frames(), pcm.length / LogMelSpectrogram.HOP_LENGTH);
        List<MelSource> inputs = Collections.nCopies(files, mel);
        TranscribeOptions o = TranscribeOptions.builder()
                .decoding(DecodingOptions.builder().language("en").sampleLen(sampleLen).withoutTimestamps(fullLength)
                        .suppressTokens(fullLength ? "-1," + (c.nVocab() >= 51865 ? 50257 : 50256) : "-1")
                        .beamSize(beamSize > 0 ? beamSize : null).build())
                .temperatures(List.of(0.0)).build();
        try (WhisperSpeechModel model = new WhisperSpeechModel(WhisperModel.build(c, new RandomWhisper(c, 1), p), null, true)) {
            Transcriber rowByRow = new Transcriber(new RowByRowModel(model));
            Transcriber sequential = new Transcriber(model);
            BatchTranscriber batched = new BatchTranscriber(model, batchSize);
            sequential.transcribe(mel, o); // warm-up: JIT, weight packing
            rowByRow.transcribe(mel, o);
            batched.transcribe(inputs.subList(0, Math.min(2, files)), o);
            double rowTotal = 0, seqTotal = 0, batTotal = 0;
            for (int rep = 0; rep < reps; rep++) {
                long t0 = System.nanoTime();
                List<Transcription> r = new ArrayList<>();
                for (MelSource in : inputs) r.add(rowByRow.transcribe(in, o));
                long t1 = System.nanoTime();
                List<Transcription> a = new ArrayList<>();
                for (MelSource in : inputs) a.add(sequential.transcribe(in, o));
                long t2 = System.nanoTime();
                List<Transcription> b = batched.transcribe(inputs, o);
                long t3 = System.nanoTime();
                if (!a.equals(b) || !a.equals(r)) throw new IllegalStateException("the three ways give different transcriptions");
                double row = (t1 - t0) / 1e9, seq = (t2 - t1) / 1e9, bat = (t3 - t2) / 1e9;
                rowTotal += row;
                seqTotal += seq;
                batTotal += bat;
                int tokens = a.stream().mapToInt(t -> t.segments().stream().mapToInt(s -> s.tokens().length).sum()).sum();
                System.out.printf("rep %d: row by row %.2f s, sequential %.2f s, batched(%d) %.2f s (%.3f files/s);"
                        + " batched vs row by row %.2fx, vs sequential %.2fx; %d tokens%n", rep, row, seq, batchSize, bat,
                        files / bat, row / bat, seq / bat, tokens);
            }
            System.out.printf("%s %s, %d files, batch %d, %s, sampleLen %d%s, %d thread(s): batched %.2fx row by row,"
                    + " %.2fx sequential; sequential %.2fx row by row%n", size, p, files, batchSize,
                    beamSize > 0 ? "beam " + beamSize : "greedy", sampleLen, fullLength ? " (end-of-text suppressed)" : "",
                    CpuRuntime.threads(), rowTotal / batTotal, seqTotal / batTotal, rowTotal / seqTotal);
        }
    }
}
