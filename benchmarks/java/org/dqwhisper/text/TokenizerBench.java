package org.dqwhisper.text;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode throughput of the multilingual tokenizer on about 100 kB of synthetic transcript-like text.
 * Run: {@code mvn -B test-compile exec:exec@jmh -Djmh.args="TokenizerBench"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenizerBench {
    private static final String[] ENGLISH = {
        " And so, my fellow Americans, ask not what your country can do for you,",
        " ask what you can do for your country.", " I'm sure you'll love it, won't you?",
        " The year 2024 had 366 days;", " pi is 3.14159 and 1,000,000 dollars cost $5.99.", "\n",
    };
    private static final String[] MIXED = {
        " Größe, übermäßig, schön.", " Ça va ? J'ai été à l'hôpital.", " 我们今天去北京天安门广场。",
        " 日本語のテキストです。", " Привет, мир!", " नमस्ते दुनिया", " สวัสดีครับ", " 😀👍🏽🎉", "\n",
    };

    @Param({"english", "mixed"})
    public String corpus;

    private WhisperTokenizer tokenizer;
    private String text;
    private int[] ids;

    @Setup
    public void setUp() {
        tokenizer = WhisperTokenizer.forVocabSize(51865);
        String[] parts = corpus.equals("english") ? ENGLISH : MIXED;
        Random random = new Random(42);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 100_000) {
            sb.append(parts[random.nextInt(parts.length)]);
        }
        text = sb.toString();
        ids = tokenizer.encode(text);
    }

    @Benchmark
    public int[] encode() {
        return tokenizer.encode(text);
    }

    @Benchmark
    public String decode() {
        return tokenizer.decode(ids);
    }
}
