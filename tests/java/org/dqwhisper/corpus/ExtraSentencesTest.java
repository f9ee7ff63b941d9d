package org.dqwhisper.corpus;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --extra-sentences}: more training utterances, dev and test exactly those of the same corpus without them. */
class ExtraSentencesTest {
    @Test
    void extrasOnlyGrowTheTrainingSplit(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("en.txt"), "# extra\nThe blue kettle sang at 7.\nA quiet owl counted 12 stars.\n");
        Files.writeString(dir.resolve("de.txt"), "Der rote Zug kam um 9.\n");
        CorpusConfig base = new CorpusConfig(7, 60, List.of("en", "de"), 0.1, 0.2);
        CorpusConfig more = new CorpusConfig(7, 60, List.of("en", "de"), 0.1, 0.2, dir);
        List<UtterancePlan> a = CorpusPlanner.plan(base), b = CorpusPlanner.plan(more);
        assertEquals(a.size() + 3, b.size());
        // every utterance of the plan without extras is in the plan with them, unchanged (same id, sentence, voice)
        assertTrue(b.containsAll(a));
        List<UtterancePlan> added = b.stream().filter(p -> !a.contains(p)).toList();
        assertEquals(3, added.size());
        for (UtterancePlan p : added) {
            assertEquals(Split.TRAIN, p.split(), p.toString());
            assertTrue(Speaker.TRAIN_VARIANTS.contains(p.speaker().variant()), p.toString());
        }
        assertEquals(List.of("The blue kettle sang at 7.", "A quiet owl counted 12 stars.", "Der rote Zug kam um 9."),
            added.stream().map(p -> p.sentence().text()).toList());
        assertEquals("en-train-0042", added.get(0).id()); // after the 42 regular training utterances of 60
    }

    @Test
    void aBuiltInSentenceOrAMissingFileIsRejected(@TempDir Path dir) throws Exception {
        String builtIn = SentenceBank.load("en").get(0).text();
        Files.writeString(dir.resolve("en.txt"), builtIn + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CorpusPlanner.plan(new CorpusConfig(7, 60, List.of("en"), 0.1, 0.2, dir)));
        assertTrue(e.getMessage().contains(builtIn) && e.getMessage().contains("en.txt"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> CorpusPlanner.plan(new CorpusConfig(7, 60, List.of("de"), 0.1, 0.2, dir)));
        assertTrue(e.getMessage().contains("de.txt"), e.getMessage());
    }

    @Test
    void theShippedTeacherSentencesAreNewAndPlentiful() {
        Path folder = Path.of("tools/corpus/teacher-sentences");
        CorpusConfig cfg = new CorpusConfig(1234, 240, CorpusLanguage.DEFAULT_CODES, 0.1, 0.2, folder);
        List<UtterancePlan> plan = CorpusPlanner.plan(cfg); // throws if any is a built-in sentence
        long train = plan.stream().filter(p -> p.split() == Split.TRAIN).count();
        assertEquals(8L * (168 + 1000), train);
    }
}
