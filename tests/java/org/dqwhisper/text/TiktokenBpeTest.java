package org.dqwhisper.text;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BPE merge order on hand-built vocabularies, the two merge paths, vocabulary file errors, misuse. */
class TiktokenBpeTest {
    /** The 256 single bytes as ranks 0..255, then {@code extra} tokens as ranks 256, 257, ... */
    private static TiktokenVocabulary vocabulary(String... extra) throws IOException {
        StringBuilder text = new StringBuilder();
        Base64.Encoder b64 = Base64.getEncoder();
        for (int b = 0; b < 256; b++) {
            text.append(b64.encodeToString(new byte[] {(byte) b})).append(' ').append(b).append('\n');
        }
        for (int i = 0; i < extra.length; i++) {
            text.append(b64.encodeToString(extra[i].getBytes(StandardCharsets.UTF_8))).append(' ').append(256 + i)
                    .append('\n');
        }
        return load(text.toString());
    }

    private static TiktokenVocabulary load(String text) throws IOException {
        return TiktokenVocabulary.load(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), "test");
    }

    private static int[] bothPaths(TiktokenBpe bpe, String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        int[] linear = bpe.mergeBytes(bytes, false);
        assertArrayEquals(linear, bpe.mergeBytes(bytes, true), "heap path differs for " + piece);
        return linear;
    }

    @Test
    void lowestRankMergesFirst() throws IOException {
        // "bc" (256) outranks "ab" (257): abc -> a + bc, and "abc" is not a token, so it stops there.
        TiktokenBpe bpe = new TiktokenBpe(vocabulary("bc", "ab"), Map.of());
        assertArrayEquals(new int[] {'a', 256}, bothPaths(bpe, "abc"));
        // With "ab" first, the other way round.
        TiktokenBpe other = new TiktokenBpe(vocabulary("ab", "bc"), Map.of());
        assertArrayEquals(new int[] {256, 'c'}, bothPaths(other, "abc"));
    }

    @Test
    void tiesGoToTheLeftmostPairAndMergesChain() throws IOException {
        TiktokenBpe bpe = new TiktokenBpe(vocabulary("aa", "aaaa"), Map.of());
        assertArrayEquals(new int[] {256, 'a'}, bothPaths(bpe, "aaa"));            // (aa)a, not a(aa)
        assertArrayEquals(new int[] {257}, bothPaths(bpe, "aaaa"));                // aa+aa -> aaaa
        assertArrayEquals(new int[] {257, 'a'}, bothPaths(bpe, "aaaaa"));
        assertArrayEquals(new int[] {257, 257, 256, 'a'}, bothPaths(bpe, "a".repeat(11)));
    }

    @Test
    void wholePieceInTheVocabularyIsUsedDirectly() throws IOException {
        // "abc" is a token, but merging could never reach it ("ab"/"bc" are absent): tiktoken's shortcut wins.
        TiktokenBpe bpe = new TiktokenBpe(vocabulary("abc"), Map.of());
        assertArrayEquals(new int[] {'a', 'b', 'c'}, bpe.mergeBytes("abc".getBytes(StandardCharsets.UTF_8), false));
        assertArrayEquals(new int[] {256}, bpe.encodeOrdinary("abc"));
        // " abc" is one piece that is not a token, so it is merged from bytes: the shortcut is per whole piece.
        assertArrayEquals(new int[] {' ', 'a', 'b', 'c'}, bpe.encodeOrdinary(" abc"));
    }

    @Test
    void heapAndLinearPathsAgreeOnTheRealVocabulary() {
        TiktokenBpe bpe = WhisperTokenizer.forVocabSize(51865).bpe();
        String[] alphabet = {"a", "e", "t", "n", "th", "in", "é", "日", "語", "ж", "ि", "😀", "1", "0", " ", "-", "ñ"};
        Random random = new Random(5);
        for (int trial = 0; trial < 400; trial++) {
            StringBuilder sb = new StringBuilder();
            int n = 2 + random.nextInt(trial < 300 ? 40 : 400);
            for (int i = 0; i < n; i++) {
                sb.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String piece = sb.toString();
            int[] ids = bothPaths(bpe, piece);
            assertArrayEquals(piece.getBytes(StandardCharsets.UTF_8), bpe.decodeBytes(ids));
        }
    }

    @Test
    void longPiecesTakeTheHeapPathAndRoundTrip() {
        TiktokenBpe bpe = WhisperTokenizer.forVocabSize(51865).bpe();
        String longWord = "a".repeat(20_000) + "b".repeat(BytePairMerger.HEAP_THRESHOLD);
        int[] ids = bpe.encode(longWord);
        assertEquals(longWord, bpe.decode(ids));
        assertArrayEquals(bpe.mergeBytes(longWord.getBytes(StandardCharsets.UTF_8), false), ids);
    }

    @Test
    void encodingRoundTripsRandomText() {
        TiktokenBpe bpe = WhisperTokenizer.forVocabSize(51864).bpe();
        String[] pool = {"the", " ", "  ", "\n", "\r\n", "'s", "'S", "42", "½", "日本", "ﬁ", "😀", "\u200d", "\u00a0",
            "<|", "|>", "endoftext", "é", "e\u0301", "\t", "!?"};
        Random random = new Random(9);
        for (int trial = 0; trial < 3000; trial++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(30);
            for (int i = 0; i < n; i++) {
                sb.append(pool[random.nextInt(pool.length)]);
            }
            String text = sb.toString();
            int[] ordinary = bpe.encodeOrdinary(text);
            assertEquals(text, bpe.decode(ordinary));
            assertArrayEquals(ordinary, bpe.encodeOrdinary(text), "second call (from the cache) is identical");
        }
    }

    @Test
    void loneSurrogatesEncodeAsReplacementCharacter() {
        TiktokenBpe bpe = WhisperTokenizer.forVocabSize(51865).bpe();
        assertArrayEquals(bpe.encode("a\uFFFDb"), bpe.encode("a\uD800b"));
        assertArrayEquals(bpe.encode("\uFFFD"), bpe.encode("\uDC00"));
        assertEquals("a\uFFFDb", bpe.decode(bpe.encode("a\uD800b")));
    }

    @Test
    void concurrentEncodingIsDeterministic() throws Exception {
        TiktokenBpe bpe = WhisperTokenizer.forVocabSize(51865).bpe();
        List<String> texts = new ArrayList<>();
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            texts.add("sample " + random.nextInt() + " naïve 日本語 " + "x".repeat(random.nextInt(200)) + " ok");
        }
        List<int[]> expected = new ArrayList<>();
        for (String t : texts) {
            expected.add(bpe.encode(t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<int[]>>> futures = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                futures.add(pool.submit(() -> texts.stream().map(bpe::encode).toList()));
            }
            for (Future<List<int[]>> f : futures) {
                List<int[]> got = f.get();
                for (int i = 0; i < texts.size(); i++) {
                    assertArrayEquals(expected.get(i), got.get(i));
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void specialTokensAllowedAndDisallowedSelectively() throws IOException {
        TiktokenBpe bpe = new TiktokenBpe(vocabulary(), Map.of("<|a|>", 300, "<|b|>", 301));
        assertEquals(302, bpe.vocabularySize());
        assertThrows(IllegalArgumentException.class, () -> bpe.encode("x<|a|>"));
        assertArrayEquals(new int[] {'x', 300}, bpe.encode("x<|a|>", Set.of("<|a|>")));
        // <|b|> stays disallowed by default when only <|a|> is allowed.
        assertThrows(IllegalArgumentException.class, () -> bpe.encode("<|a|><|b|>", Set.of("<|a|>")));
        // Neither allowed nor disallowed: <|b|> is plain text ("<|" and "|>" split as punctuation, "b" a letter).
        assertArrayEquals(new int[] {300, '<', '|', 'b', '|', '>'},
                bpe.encode("<|a|><|b|>", Set.of("<|a|>"), Set.of()));
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> bpe.encode("x", Set.of("<|c|>")));
        assertTrue(unknown.getMessage().contains("<|c|>"));
        assertEquals("<|b|>x", bpe.decode(new int[] {301, 'x'}));
        assertTrue(bpe.isSpecial(300));
        assertFalse(bpe.isSpecial(299));
    }

    @Test
    void invalidIdsAreRejectedOnDecode() throws IOException {
        TiktokenBpe bpe = new TiktokenBpe(vocabulary(), Map.of("<|a|>", 300));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bpe.decode(new int[] {'a', 299}));
        assertTrue(e.getMessage().contains("299") && e.getMessage().contains("position 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bpe.decode(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> bpe.decode(new int[] {301}));
        assertThrows(IllegalArgumentException.class, () -> bpe.tokenBytes(256));
    }

    @Test
    void badSpecialTokenTablesAreRejected() throws IOException {
        TiktokenVocabulary v = vocabulary("ab");
        assertThrows(IllegalArgumentException.class, () -> new TiktokenBpe(v, Map.of("<|x|>", 256)));  // a rank
        assertThrows(IllegalArgumentException.class, () -> new TiktokenBpe(v, Map.of("<|x|>", 257, "<|y|>", 257)));
        assertThrows(IllegalArgumentException.class, () -> new TiktokenBpe(v, Map.of("", 257)));
    }

    @Test
    void vocabularyWithoutAllSingleBytesIsRejected() throws IOException {
        TiktokenVocabulary partial = load("YQ== 0\nYg== 1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TiktokenBpe(partial, Map.of()));
        assertTrue(e.getMessage().contains("0x0"), e.getMessage());
    }

    @Test
    void malformedVocabularyFilesNameTheProblem() {
        assertLoadFails("YQ== 0\nYg==\n", "test:2");                // one field
        assertLoadFails("YQ== 0 7\n", "test:1");                     // three fields
        assertLoadFails("YQ== 0\n*** 1\n", "test:2");                // not base64
        assertLoadFails("YQ== zero\n", "test:1");                    // not a number
        assertLoadFails("YQ== 0\nYg== 0\n", "appears twice");
        assertLoadFails("YQ== 0\nYg== 2\n", "not dense");
        assertLoadFails("YQ== 0\nYQ== 1\n", "duplicates");
        assertLoadFails("= 0\n= 1\n", "second empty token");
        assertLoadFails("YQ== -1\n", "negative");
        assertLoadFails("\n\n", "no tokens");
    }

    private static void assertLoadFails(String text, String expectedInMessage) {
        IOException e = assertThrows(IOException.class, () -> load(text));
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    @Test
    void emptyTokenIsAcceptedLikePythonsBase64(@TempDir Path dir) throws IOException {
        // whisper's multilingual.tiktoken has "= 50256", which Python decodes to b"".
        Path file = dir.resolve("v.tiktoken");
        Files.writeString(file, "YQ== 0\r\n= 1\r\n\r\nYWI= 2\n");
        TiktokenVocabulary v = TiktokenVocabulary.load(file);
        assertEquals(3, v.size());
        assertEquals(0, v.tokenLength(1));
        assertEquals(2, v.rank("ab".getBytes(StandardCharsets.US_ASCII), 0, 2));
        assertEquals(-1, v.rank(new byte[0], 0, 0));
        assertEquals(0, WhisperTokenizer.forVocabSize(51865).bpe().tokenBytes(50256).length);
        assertThrows(IOException.class, () -> TiktokenVocabulary.load(dir.resolve("missing.tiktoken")));
        assertThrows(IOException.class, () -> TiktokenVocabulary.fromResource("/org/dqwhisper/assets/none.tiktoken"));
    }
}
