package org.dqwhisper.audio;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Front-end cost for one 30-second window: log-mel of 480000 samples (3000 frames) single-threaded and on the
 * common pool, and resampling 30 s of 44.1 kHz audio to 16 kHz.
 * {@code mvn -B test-compile exec:exec@jmh -Djmh.args="AudioFrontEndBench -f 1 -wi 3 -w 1 -i 5 -r 1"}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class AudioFrontEndBench {
    @Param({"80", "128"})
    int nMels;

    private float[] pcm30s;
    private float[] pcm44k;
    private LogMelSpectrogram single;
    private LogMelSpectrogram parallel;
    private Resampler resampler;

    @Setup
    public void setup() {
        Random rnd = new Random(1);
        pcm30s = new float[LogMelSpectrogram.CHUNK_SAMPLES];
        for (int i = 0; i < pcm30s.length; i++) {
            pcm30s[i] = (float) (0.1 * rnd.nextGaussian());
        }
        pcm44k = new float[44100 * 30];
        for (int i = 0; i < pcm44k.length; i++) {
            pcm44k[i] = (float) (0.1 * rnd.nextGaussian());
        }
        single = new LogMelSpectrogram(nMels, false);
        parallel = new LogMelSpectrogram(nMels, true);
        resampler = new Resampler(44100, Resampler.WHISPER_RATE);
    }

    @Benchmark
    public MelSpectrogram logMel30sSingleThread() {
        return single.compute(pcm30s);
    }

    @Benchmark
    public MelSpectrogram logMel30sCommonPool() {
        return parallel.compute(pcm30s);
    }

    @Benchmark
    public float[] resample30sFrom44k() {
        return resampler.process(pcm44k);
    }
}
