package org.dqwhisper.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultTypesTest {
    private static Segment segment(int[] tokens, List<WordTiming> words) {
        return new Segment(0, 0, 0.0, 1.0, " hi", tokens, 0.0, -0.1, 1.0, 0.01, words);
    }

    @Test
    void segmentComparesTokensByContentAndCopiesThem() {
        int[] tokens = {1, 2, 3};
        Segment a = segment(tokens, null);
        tokens[0] = 99;
        assertArrayEquals(new int[] {1, 2, 3}, a.tokens());
        a.tokens()[1] = 42;
        assertArrayEquals(new int[] {1, 2, 3}, a.tokens());
        Segment b = segment(new int[] {1, 2, 3}, null);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, segment(new int[] {1, 2}, null));
        assertTrue(a.toString().contains("[1, 2, 3]"));
    }

    @Test
    void wordsAreNullWithoutWordTimestampsAndImmutableOtherwise() {
        Segment plain = segment(new int[0], null);
        assertFalse(plain.hasWords());
        assertNull(plain.words());
        List<WordTiming> words = new ArrayList<>(List.of(new WordTiming(" hi", 0.0, 0.4, 0.9)));
        Segment withWords = plain.withWords(words);
        words.clear();
        assertEquals(1, withWords.words().size());
        assertThrows(UnsupportedOperationException.class, () -> withWords.words().clear());
        assertNotEquals(plain, withWords);
    }

    @Test
    void invalidTimesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new WordTiming("w", -0.1, 1.0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new WordTiming("w", 0.0, Double.NaN, 0.5));
        assertThrows(IllegalArgumentException.class,
                () -> new Segment(0, 0, Double.POSITIVE_INFINITY, 1.0, "", new int[0], 0, 0, 0, 0, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Segment(-1, 0, 0.0, 1.0, "", new int[0], 0, 0, 0, 0, null));
        assertThrows(NullPointerException.class, () -> new Segment(0, 0, 0.0, 1.0, null, new int[0], 0, 0, 0, 0, null));
    }

    @Test
    void transcriptionCopiesItsCollections() {
        List<Segment> segments = new ArrayList<>(List.of(Segment.ofText(0, 0.0, 1.0, " hi")));
        Map<String, Double> probs = new LinkedHashMap<>();
        probs.put("en", 0.9);
        probs.put("de", 0.1);
        Transcription t = new Transcription(" hi", segments, "en", 0.9, probs);
        segments.clear();
        probs.clear();
        assertEquals(1, t.segments().size());
        assertEquals(List.of("en", "de"), List.copyOf(t.languageProbabilities().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> t.languageProbabilities().put("fr", 0.0));
        assertTrue(Double.isNaN(Transcription.of("", List.of(), "en").languageProbability()));
        assertEquals(CompressionRatio.of(" hi"), Segment.ofText(0, 0, 1, " hi").compressionRatio());
    }
}
