package org.dqwhisper.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.dqwhisper.audio.PcmAudio;
import org.dqwhisper.audio.WavReader;
import org.dqwhisper.train.data.Manifest;
import org.dqwhisper.train.data.ManifestEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator end to end with the real espeak-ng, on a small corpus: 3 utterances (train, dev, test) in each of the
 * 8 default languages. Skipped, with a message, where espeak-ng is not installed.
 */
class CorpusGeneratorTest {
    private static final CorpusConfig SMALL = new CorpusConfig(5, 3, CorpusLanguage.DEFAULT_CODES, 0.1, 0.2);

    @TempDir
    static Path temp;
    private static Path first;
    private static CorpusSummary firstSummary;

    /** A synthesizer that counts its calls. */
    private static final class Counting implements SpeechSynthesizer {
        final SpeechSynthesizer inner;
        final AtomicInteger calls = new AtomicInteger();

        Counting(SpeechSynthesizer inner) {
            this.inner = inner;
        }

        @Override
        public PcmAudio synthesize(String text, String voice, int wpm, int pitch) throws IOException {
            calls.incrementAndGet();
            return inner.synthesize(text, voice, wpm, pitch);
        }

        @Override
        public String version() throws IOException {
            return inner.version();
        }
    }

    private static EspeakNg espeak() {
        try {
            return EspeakNg.locate(temp.resolve("scratch"));
        } catch (EspeakUnavailableException e) {
            assumeTrue(false, "espeak-ng is not installed (apt-get install espeak-ng); skipping: " + e.getMessage());
            throw e;
        }
    }

    @BeforeAll
    static void buildOnce() throws IOException {
        first = temp.resolve("first");
        firstSummary = new CorpusGenerator(espeak(), 2).generate(SMALL, first, (d, t, s) -> { });
    }

    @Test
    void writesManifestsOf16kHzUtterancesWithDisjointSpeakers() throws IOException {
        assertEquals(SMALL.languages().size(), firstSummary.utterances().get(Split.TEST));
        assertEquals(3 * SMALL.languages().size(), firstSummary.totalUtterances());
        assertEquals(firstSummary.totalUtterances(), firstSummary.synthesized());
        Set<String> trainSpeakers = new HashSet<>();
        Set<String> otherSpeakers = new HashSet<>();
        Set<String> languages = new HashSet<>();
        double seconds = 0;
        for (Split split : Split.values()) {
            List<ManifestEntry> entries = Manifest.read(first.resolve(split.fileStem() + ".jsonl")).entries();
            for (ManifestEntry e : entries) {
                (split == Split.TRAIN ? trainSpeakers : otherSpeakers).add(e.speaker());
                languages.add(e.language());
                WavReader.WavHeader h = WavReader.readHeader(e.audio());
                assertEquals(16000, h.sampleRate(), e.id());
                assertEquals(1, h.channels(), e.id());
                assertEquals(16, h.bitsPerSample(), e.id());
                // the manifest rounds durations to milliseconds: off by at most 0.5 ms (plus float noise)
                assertEquals(e.duration(), h.frames() / 16000.0, 0.00051, e.id());
                // espeak-ng speaks a short sentence in about 1.5-6 s
                assertTrue(e.duration() > 1 && e.duration() < 8, e.id() + " lasts " + e.duration() + " s");
                seconds += e.duration();
                assertFalse(e.text().isBlank());
            }
        }
        assertEquals(new HashSet<>(SMALL.languages()), languages);
        assertTrue(java.util.Collections.disjoint(trainSpeakers, otherSpeakers), trainSpeakers + " / " + otherSpeakers);
        assertEquals(firstSummary.totalSeconds(), seconds, 0.05);
        assertTrue(Files.isRegularFile(first.resolve("corpus.json")));
    }

    @Test
    void sameSeedGivesIdenticalFilesAndOtherSeedOtherFiles() throws IOException {
        Path second = temp.resolve("second");
        new CorpusGenerator(espeak(), 1).generate(SMALL, second, (d, t, s) -> { });
        for (String manifest : List.of("train.jsonl", "dev.jsonl", "test.jsonl")) {
            assertEquals(Files.readString(first.resolve(manifest)), Files.readString(second.resolve(manifest)));
        }
        List<Path> wavs = wavs(first);
        assertEquals(SMALL.perLanguage() * SMALL.languages().size(), wavs.size());
        for (Path wav : wavs) {
            assertArrayEquals(Files.readAllBytes(wav), Files.readAllBytes(second.resolve(first.relativize(wav))),
                wav.toString());
        }

        Path other = temp.resolve("other-seed");
        new CorpusGenerator(espeak(), 2).generate(SMALL.withSeed(6), other, (d, t, s) -> { });
        assertNotEquals(Files.readString(first.resolve("train.jsonl")), Files.readString(other.resolve("train.jsonl")));
        int differing = 0;
        for (Path wav : wavs) {
            if (!java.util.Arrays.equals(Files.readAllBytes(wav), Files.readAllBytes(other.resolve(first.relativize(wav))))) {
                differing++;
            }
        }
        assertEquals(wavs.size(), differing, "every utterance should change with the seed");
    }

    @Test
    void secondRunSynthesizesNothingAndRepairsAChangedFile() throws IOException {
        Path copy = temp.resolve("cached");
        Counting counting = new Counting(espeak());
        new CorpusGenerator(counting, 2).generate(SMALL, copy, (d, t, s) -> { });
        assertEquals(24, counting.calls.get());

        counting.calls.set(0);
        CorpusSummary again = new CorpusGenerator(counting, 2).generate(SMALL, copy, (d, t, s) -> { });
        assertEquals(0, counting.calls.get(), "a complete corpus must not call the synthesizer");
        assertEquals(0, again.synthesized());
        assertEquals(24, again.reused());

        Path victim = copy.resolve("audio/ru/ru-test-0000.wav");
        byte[] original = Files.readAllBytes(victim);
        byte[] damaged = original.clone();
        damaged[damaged.length / 2] ^= 0x55;
        Files.write(victim, damaged);
        Files.delete(copy.resolve("audio/hi/hi-train-0000.wav"));
        CorpusSummary repaired = new CorpusGenerator(counting, 2).generate(SMALL, copy, (d, t, s) -> { });
        assertEquals(2, counting.calls.get(), "only the changed and the missing file are rebuilt");
        assertEquals(2, repaired.synthesized());
        assertArrayEquals(original, Files.readAllBytes(victim));
    }

    @Test
    void missingEspeakGivesTheInstallCommand() {
        EspeakUnavailableException e = assertThrows(EspeakUnavailableException.class,
            () -> EspeakNg.locate(temp.resolve("no-such-folder").toString(), temp));
        assertTrue(e.getMessage().contains("apt-get install espeak-ng"), e.getMessage());
        assertThrows(EspeakUnavailableException.class, () -> EspeakNg.locate(null, temp));
    }

    @Test
    void unknownVoicesAreReportedByName() throws IOException {
        EspeakNg espeak = espeak();
        espeak.requireVoices(List.of("de", "cmn-latn-pinyin"), Speaker.TEST_VARIANTS);
        EspeakUnavailableException e = assertThrows(EspeakUnavailableException.class,
            () -> espeak.requireVoices(List.of("de", "xx-nowhere"), List.of("m3", "nobody7")));
        assertTrue(e.getMessage().contains("voice xx-nowhere") && e.getMessage().contains("variant nobody7"),
            e.getMessage());
    }

    private static List<Path> wavs(Path folder) throws IOException {
        try (Stream<Path> s = Files.walk(folder.resolve("audio"))) {
            return s.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
        }
    }
}
