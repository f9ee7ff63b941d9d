package org.dqwhisper.corpus;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.dqwhisper.audio.PcmAudio;
import org.dqwhisper.audio.Resampler;
import org.dqwhisper.audio.WavWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the corpus folder:
 * <pre>
 *   DIR/train.jsonl, dev.jsonl, test.jsonl   {"id","audio","text","language","speaker","duration","augmentation"}
 *   DIR/audio/LANG/ID.wav                      16 kHz mono 16-bit PCM
 *   DIR/corpus.json                            the config, synthesizer version, counts and seconds
 *   DIR/cache.json                             see {@link CorpusCache}
 * </pre>
 * Each utterance: the synthesizer speaks the sentence (22050 Hz for espeak-ng), {@link Resampler} brings it to
 * 16 kHz, {@link UtteranceAugmenter} adds reverb/noise/gain, and {@link WavWriter} writes it atomically. Utterances
 * whose cached WAV is intact are not synthesized again. Synthesis runs on {@code jobs} threads; the output does not
 * depend on their number (all randomness comes from the plan). Same config, same synthesizer: byte-identical files.
 */
public final class CorpusGenerator {
    private static final Logger LOG = LoggerFactory.getLogger(CorpusGenerator.class);
    private static final int RATE = Resampler.WHISPER_RATE;
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    /** Progress callbacks, from worker threads. */
    public interface Listener {
        /** {@code done} of {@code total} utterances are ready, {@code seconds} of audio so far. */
        void progress(int done, int total, double seconds);
    }

    private final SpeechSynthesizer synthesizer;
    private final int jobs;

    public CorpusGenerator(SpeechSynthesizer synthesizer, int jobs) {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be >= 1, got " + jobs);
        }
        this.synthesizer = synthesizer;
        this.jobs = jobs;
    }

    private record Done(UtterancePlan plan, int samples) {
    }

    /** Builds (or completes) the corpus of {@code config} in {@code folder}. */
    public CorpusSummary generate(CorpusConfig config, Path folder, Listener listener) throws IOException {
        long start = System.nanoTime();
        List<UtterancePlan> plans = CorpusPlanner.plan(config);
        String engine = synthesizer.version();
        CorpusCache cache = CorpusCache.read(folder);
        Map<String, Done> done = new LinkedHashMap<>();
        List<UtterancePlan> todo = new ArrayList<>();
        for (UtterancePlan plan : plans) {
            CorpusCache.Entry entry = cache.valid(plan.id(), plan.cacheKey(engine), folder.resolve(plan.audio()));
            if (entry != null) {
                done.put(plan.id(), new Done(plan, entry.samples()));
            } else {
                todo.add(plan);
            }
        }
        int reused = done.size();
        LOG.debug("corpus {}: {} utterances, {} cached, {} to synthesize with {} on {} threads", folder, plans.size(),
            reused, todo.size(), engine, jobs);
        AtomicInteger finished = new AtomicInteger(reused);
        double[] seconds = {done.values().stream().mapToDouble(d -> d.samples() / (double) RATE).sum()};
        listener.progress(reused, plans.size(), seconds[0]);

        ExecutorService pool = Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "corpus-synthesis");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Done>> futures = new ArrayList<>();
            for (UtterancePlan plan : todo) {
                futures.add(pool.submit(() -> {
                    Done d = build(plan, engine, folder, cache);
                    synchronized (seconds) {
                        seconds[0] += d.samples() / (double) RATE;
                        listener.progress(finished.incrementAndGet(), plans.size(), seconds[0]);
                    }
                    return d;
                }));
            }
            for (Future<Done> f : futures) {
                Done d = f.get();
                done.put(d.plan().id(), d);
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the corpus", e);
        } finally {
            pool.shutdownNow();
            cache.write(); // whatever finished stays reusable, also after a failure
        }

        Map<Split, Integer> counts = new EnumMap<>(Split.class);
        Map<Split, Double> splitSeconds = new EnumMap<>(Split.class);
        for (Split split : Split.values()) {
            StringBuilder manifest = new StringBuilder();
            int n = 0;
            double s = 0;
            for (UtterancePlan plan : plans) {
                if (plan.split() == split) {
                    Done d = done.get(plan.id());
                    manifest.append(GSON.toJson(manifestLine(plan, d.samples()))).append('\n');
                    n++;
                    s += d.samples() / (double) RATE;
                }
            }
            AtomicFile.write(folder.resolve(split.fileStem() + ".jsonl"),
                manifest.toString().getBytes(StandardCharsets.UTF_8));
            counts.put(split, n);
            splitSeconds.put(split, s);
        }
        writeDescription(config, plans, engine, counts, splitSeconds, folder);
        return new CorpusSummary(counts, splitSeconds, todo.size(), reused, (System.nanoTime() - start) / 1e9);
    }

    private Done build(UtterancePlan plan, String engine, Path folder, CorpusCache cache) throws IOException {
        PcmAudio spoken = synthesizer.synthesize(plan.sentence().spoken(), plan.speaker().id(), plan.wordsPerMinute(),
            plan.pitch());
        float[] speech = Resampler.toWhisperRate(spoken.samples(), spoken.sampleRate());
        float[] samples = UtteranceAugmenter.apply(speech, RATE, plan.augmentation()).samples();
        byte[] wav = WavWriter.encodePcm16(samples, RATE);
        AtomicFile.write(folder.resolve(plan.audio()), wav);
        cache.put(plan.id(), new CorpusCache.Entry(plan.cacheKey(engine), UtterancePlan.sha256(wav), samples.length));
        return new Done(plan, samples.length);
    }

    private static Map<String, Object> manifestLine(UtterancePlan plan, int samples) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", plan.id());
        line.put("audio", plan.audio());
        line.put("text", plan.sentence().text());
        line.put("language", plan.language().code());
        line.put("speaker", plan.speaker().id());
        line.put("duration", Math.round(samples * 1000.0 / RATE) / 1000.0);
        line.put("augmentation", plan.augmentation().describe());
        return line;
    }

    private static void writeDescription(CorpusConfig config, List<UtterancePlan> plans, String engine,
                                         Map<Split, Integer> counts, Map<Split, Double> seconds, Path folder)
        throws IOException {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("seed", config.seed());
        d.put("per_language", config.perLanguage());
        d.put("languages", config.languages());
        d.put("dev_fraction", config.devFraction());
        if (config.extraSentences() != null) d.put("extra_sentences", config.extraSentences().toAbsolutePath().normalize().toString());
        d.put("test_fraction", config.testFraction());
        d.put("synthesizer", engine);
        d.put("sample_rate", RATE);
        Map<String, Object> splits = new LinkedHashMap<>();
        for (Split split : Split.values()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("utterances", counts.get(split));
            s.put("seconds", Math.round(seconds.get(split) * 10) / 10.0);
            s.put("speakers", new TreeSet<>(plans.stream().filter(p -> p.split() == split)
                .map(p -> p.speaker().id()).toList()));
            splits.put(split.fileStem(), s);
        }
        d.put("splits", splits);
        AtomicFile.write(folder.resolve("corpus.json"),
            new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(d)
                .getBytes(StandardCharsets.UTF_8));
    }
}
