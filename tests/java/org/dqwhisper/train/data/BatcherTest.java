package org.dqwhisper.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dqwhisper.text.WhisperTokenizer;
import org.dqwhisper.train.TrainingBatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatcherTest {
    private static final WhisperLabels LABELS = new WhisperLabels(WhisperTokenizer.forVocabSize(51865));
    private static final String[] WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight"};

    @TempDir
    static Path tmp;
    static List<ManifestEntry> entries = new ArrayList<>();

    /** 37 utterances with transcripts of 1..8 words and durations 0.5..2.3 s. */
    @BeforeAll
    static void utterances() throws IOException {
        for (int i = 0; i < 37; i++) {
            int words = 1 + (i * 5) % 8;
            String text = String.join(" ", Arrays.copyOf(WORDS, words));
            double seconds = 0.5 + (i % 10) * 0.2;
            Path wav = FeatureCacheTest.wav(tmp, "u" + i + ".wav", FeatureCacheTest.utterance((int) (seconds * 16000), i));
            entries.add(new ManifestEntry("u" + i, wav, text, i % 2 == 0 ? "en" : "de", seconds, null, i + 1));
        }
    }

    @Test
    void everyUtteranceOncePerEpochInAReproducibleOrder() {
        Batcher batcher = new Batcher(entries, LABELS, 4, 3, 99);
        List<List<Integer>> orders = new ArrayList<>();
        for (int epoch = 0; epoch < 5; epoch++) {
            List<int[]> batches = batcher.epoch(epoch);
            assertEquals(batcher.batchesPerEpoch(), batches.size());
            int[] seen = new int[entries.size()];
            List<Integer> order = new ArrayList<>();
            for (int[] b : batches) {
                assertTrue(b.length >= 1 && b.length <= 4, Arrays.toString(b));
                for (int i : b) {
                    seen[i]++;
                    order.add(i);
                }
            }
            int[] once = new int[entries.size()];
            Arrays.fill(once, 1);
            assertArrayEquals(once, seen, "epoch " + epoch);
            orders.add(order);
            // a fresh batcher (a resumed run) reproduces the epoch exactly
            List<int[]> again = new Batcher(entries, LABELS, 4, 3, 99).epoch(epoch);
            assertEquals(batches.size(), again.size());
            for (int k = 0; k < batches.size(); k++) {
                assertArrayEquals(batches.get(k), again.get(k), "epoch " + epoch + " batch " + k);
            }
        }
        for (int a = 0; a < orders.size(); a++) {
            for (int b = a + 1; b < orders.size(); b++) {
                assertFalse(orders.get(a).equals(orders.get(b)), "epochs " + a + " and " + b + " have one order");
            }
        }
        List<Integer> otherSeed = new ArrayList<>();
        new Batcher(entries, LABELS, 4, 3, 100).epoch(0).forEach(b -> Arrays.stream(b).forEach(otherSeed::add));
        assertFalse(orders.get(0).equals(otherSeed));
    }

    @Test
    void batchesOfOnePoolHoldSimilarLengths() {
        // one pool over everything: batches are consecutive runs of the length-sorted list, so their length
        // ranges do not interleave
        Batcher batcher = new Batcher(entries, LABELS, 5, 100, 1);
        List<int[]> batches = batcher.epoch(0);
        for (int[] x : batches) {
            for (int[] y : batches) {
                if (x != y) {
                    assertTrue(max(batcher, x) <= min(batcher, y) || max(batcher, y) <= min(batcher, x),
                        Arrays.toString(x) + " / " + Arrays.toString(y));
                }
            }
        }
        assertEquals(8, batches.size());
    }

    @Test
    void loadedBatchHoldsTheLabelsAndTheWindowAtTheModelsFrameCount() throws IOException {
        Batcher batcher = new Batcher(entries, LABELS, 4, 3, 7);
        FeatureCache features = new FeatureCache(80, FeatureCache.Framing.TRANSCRIBE_WINDOW, 64 << 20, null);
        int[] indices = {0, 5, 12};
        // 3000 frames (a full-size model) and 150 frames (a 1.5-s model: the window is cut, content clipped)
        for (int frames : new int[] {3000, 150}) {
            try (TrainingBatch batch = batcher.load(indices, features, frames)) {
                assertEquals(3, batch.size());
                assertArrayEquals(new long[] {3, 80, frames}, batch.mel().shape());
                float[] mel = batch.mel().toFloatArray();
                for (int r = 0; r < indices.length; r++) {
                    ManifestEntry e = entries.get(indices[r]);
                    float[] window = features.get(e.audio()).window(); // [80, 3000]
                    for (int m = 0; m < 80; m++) {
                        assertArrayEquals(Arrays.copyOfRange(window, m * 3000, m * 3000 + frames),
                            Arrays.copyOfRange(mel, (r * 80 + m) * frames, (r * 80 + m + 1) * frames), "row " + r + " bin " + m);
                    }
                    assertEquals(Math.min(frames, (int) Math.round(e.duration() * 100)), batch.contentFrames()[r]);
                    WhisperLabels.Labels l = batcher.labels(indices[r]);
                    assertArrayEquals(l.input(), batch.decoderInputs()[r]);
                    assertArrayEquals(l.target(), batch.targets()[r]);
                    assertEquals(LABELS.tokenizer().languageToken(e.language()), batch.decoderInputs()[r][1]);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> batcher.load(indices, features, 3001));
    }

    @Test
    void sourceStreamsEpochsAndSeeksExactly() throws IOException {
        Batcher batcher = new Batcher(entries, LABELS, 4, 3, 11);
        FeatureCache features = new FeatureCache(80, FeatureCache.Framing.TRANSCRIBE_WINDOW, 64 << 20, null);
        ManifestBatchSource source = new ManifestBatchSource(batcher, features, 100);
        int perEpoch = batcher.batchesPerEpoch();
        List<int[][]> firstRows = new ArrayList<>();
        for (int k = 0; k < perEpoch + 3; k++) {
            long epoch = k / perEpoch;
            assertArrayEquals(batcher.epoch(epoch).get(k % perEpoch), source.indicesAt(k), "stream batch " + k);
            try (TrainingBatch b = source.next()) {
                firstRows.add(b.decoderInputs());
            }
        }
        assertEquals(perEpoch + 3, source.position());
        source.seek(perEpoch + 1);
        try (TrainingBatch b = source.next()) {
            assertArrayEquals(firstRows.get(perEpoch + 1), b.decoderInputs(), "a seek replays the stream");
        }
        assertThrows(IllegalArgumentException.class, () -> source.seek(-1));
    }

    @Test
    void unreadableAudioIsNamedWithItsLine() throws IOException {
        Path notAudio = tmp.resolve("not-audio.wav");
        java.nio.file.Files.write(notAudio, new byte[] {1, 2, 3});
        Batcher batcher = new Batcher(List.of(new ManifestEntry("bad", notAudio, "one", "en", null, null, 42)), LABELS, 1, 1);
        FeatureCache features = new FeatureCache(80, FeatureCache.Framing.TRANSCRIBE_WINDOW, 0, null);
        IOException e = assertThrows(IOException.class, () -> batcher.load(new int[] {0}, features, 3000));
        assertTrue(e.getMessage().contains("'bad'") && e.getMessage().contains("line 42") && e.getMessage().contains("not-audio.wav"),
            e.getMessage());
    }

    @Test
    void badInputIsRejectedNamingTheUtterance() {
        List<ManifestEntry> noLanguage = List.of(new ManifestEntry("x1", entries.get(0).audio(), "hi", null, null,
            null, 17));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new Batcher(noLanguage, LABELS, 2, 1));
        assertTrue(e.getMessage().contains("'x1'") && e.getMessage().contains("line 17"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Batcher(List.of(), LABELS, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new Batcher(entries, LABELS, 0, 1));
    }

    private static int max(Batcher b, int[] batch) {
        return Arrays.stream(batch).map(i -> b.labels(i).length()).max().orElseThrow();
    }

    private static int min(Batcher b, int[] batch) {
        return Arrays.stream(batch).map(i -> b.labels(i).length()).min().orElseThrow();
    }
}
