package org.dqwhisper.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The corpus plan, without synthesizing anything. */
class CorpusPlannerTest {
    private static final CorpusConfig CONFIG = new CorpusConfig(7, 60, CorpusLanguage.all().stream()
        .map(CorpusLanguage::code).toList(), 0.1, 0.2);

    @Test
    void testAndDevSpeakersNeverOccurInTraining() {
        // as variants, for all languages together, and as speaker ids
        assertTrue(Collections.disjoint(Speaker.TRAIN_VARIANTS, Speaker.TEST_VARIANTS));
        assertTrue(Collections.disjoint(Speaker.TRAIN_VARIANTS, Speaker.DEV_VARIANTS));
        assertTrue(Collections.disjoint(Speaker.DEV_VARIANTS, Speaker.TEST_VARIANTS));
        Map<Split, Set<String>> variants = new EnumMap<>(Split.class);
        Map<Split, Set<String>> speakers = new EnumMap<>(Split.class);
        for (UtterancePlan p : CorpusPlanner.plan(CONFIG)) {
            variants.computeIfAbsent(p.split(), s -> new HashSet<>()).add(p.speaker().variant());
            speakers.computeIfAbsent(p.split(), s -> new HashSet<>()).add(p.speaker().id());
            assertTrue(Speaker.variants(p.split()).contains(p.speaker().variant()), p.toString());
            assertEquals(p.speaker().voice() + "+" + p.speaker().variant(), p.speaker().id());
        }
        for (Map<Split, Set<String>> m : List.of(variants, speakers)) {
            assertTrue(Collections.disjoint(m.get(Split.TRAIN), m.get(Split.TEST)), m.toString());
            assertTrue(Collections.disjoint(m.get(Split.TRAIN), m.get(Split.DEV)), m.toString());
            assertTrue(Collections.disjoint(m.get(Split.DEV), m.get(Split.TEST)), m.toString());
        }
        // several speakers per split, so training is multi-speaker and test is not one voice
        assertTrue(variants.get(Split.TRAIN).size() >= 10, variants.toString());
        assertTrue(variants.get(Split.TEST).size() >= 2, variants.toString());
    }

    @Test
    void testAndDevSentencesAreNotTrainingSentences() {
        for (String code : CONFIG.languages()) {
            Map<Split, Set<String>> texts = new EnumMap<>(Split.class);
            for (UtterancePlan p : CorpusPlanner.plan(CONFIG)) {
                if (p.language().code().equals(code)) {
                    texts.computeIfAbsent(p.split(), s -> new HashSet<>()).add(p.sentence().text());
                }
            }
            assertEquals(12, texts.get(Split.TEST).size(), code);
            assertEquals(6, texts.get(Split.DEV).size(), code);
            assertEquals(42, texts.get(Split.TRAIN).size(), code);
            assertTrue(Collections.disjoint(texts.get(Split.TRAIN), texts.get(Split.TEST)), code);
            assertTrue(Collections.disjoint(texts.get(Split.TRAIN), texts.get(Split.DEV)), code);
            assertTrue(Collections.disjoint(texts.get(Split.DEV), texts.get(Split.TEST)), code);
        }
    }

    @Test
    void planIsAFunctionOfTheSeed() {
        List<UtterancePlan> a = CorpusPlanner.plan(CONFIG);
        assertEquals(a, CorpusPlanner.plan(CONFIG));
        List<UtterancePlan> b = CorpusPlanner.plan(CONFIG.withSeed(8));
        assertEquals(a.size(), b.size());
        long differentSentences = 0;
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).id(), b.get(i).id());
            if (!a.get(i).sentence().equals(b.get(i).sentence())) {
                differentSentences++;
            }
            assertNotEquals(a.get(i).augmentation(), b.get(i).augmentation());
        }
        assertTrue(differentSentences > a.size() / 2, "only " + differentSentences + " sentences changed");
    }

    @Test
    void aLanguagesUtterancesDoNotDependOnTheOtherLanguages() {
        List<UtterancePlan> alone = CorpusPlanner.plan(new CorpusConfig(7, 60, List.of("ru"), 0.1, 0.2));
        List<UtterancePlan> together = CorpusPlanner.plan(CONFIG).stream()
            .filter(p -> p.language().code().equals("ru")).toList();
        assertEquals(alone, together);
    }

    @Test
    void parametersStayInTheirRanges() {
        int reverb = 0;
        int noise = 0;
        for (UtterancePlan p : CorpusPlanner.plan(CONFIG)) {
            Augmentation a = p.augmentation();
            assertTrue(p.wordsPerMinute() >= 128 && p.wordsPerMinute() <= 190, p.toString());
            assertTrue(p.pitch() >= 29 && p.pitch() <= 71, p.toString());
            if (a.hasReverb()) {
                reverb++;
                assertTrue(a.reverbRt60() >= Augmentation.MIN_RT60 && a.reverbRt60() <= Augmentation.MAX_RT60);
            }
            if (a.hasNoise()) {
                noise++;
                assertTrue(a.snrDb() >= Augmentation.MIN_SNR_DB && a.snrDb() <= Augmentation.MAX_SNR_DB);
            }
            assertTrue(a.peakDbfs() >= Augmentation.MIN_PEAK_DBFS && a.peakDbfs() <= Augmentation.MAX_PEAK_DBFS);
            assertEquals("audio/" + p.language().code() + "/" + p.id() + ".wav", p.audio());
        }
        int n = CONFIG.perLanguage() * CONFIG.languages().size();
        // 600 draws at p = 0.4 / 0.6: 5 standard deviations are about 0.1 of n
        assertEquals(0.4, reverb / (double) n, 0.1);
        assertEquals(0.6, noise / (double) n, 0.1);
    }

    @Test
    void badConfigsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new CorpusConfig(1, 2, List.of("en"), 0.1, 0.2));
        assertThrows(IllegalArgumentException.class, () -> new CorpusConfig(1, 60, List.of("xx"), 0.1, 0.2));
        assertThrows(IllegalArgumentException.class, () -> new CorpusConfig(1, 60, List.of(), 0.1, 0.2));
        assertThrows(IllegalArgumentException.class, () -> new CorpusConfig(1, 60, List.of("en"), 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new CorpusConfig(1, 4, List.of("en"), 0.4, 0.4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CorpusPlanner.plan(new CorpusConfig(1, 1000, List.of("en"), 0.3, 0.3)));
        assertTrue(e.getMessage().contains("too few"), e.getMessage());
    }
}
