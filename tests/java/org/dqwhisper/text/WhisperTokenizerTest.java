package org.dqwhisper.text;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dqwhisper.text.WhisperTokenizer.Task;
import org.junit.jupiter.api.Test;

/** Languages, SOT sequences, timestamps, non-speech tokens and word splitting. */
class WhisperTokenizerTest {
    private static final WhisperTokenizer V2 = WhisperTokenizer.forVocabSize(51865);
    private static final WhisperTokenizer V3 = WhisperTokenizer.forVocabSize(51866);
    private static final WhisperTokenizer EN = WhisperTokenizer.forVocabSize(51864);

    @Test
    void factoryCachesAndRejectsImpossibleSizes() {
        assertSame(V2, WhisperTokenizer.forVocabSize(51865));
        assertSame(V2.bpe().ranks(), V3.bpe().ranks(), "one multilingual vocabulary shared by 51865 and 51866");
        assertEquals(50257, V2.bpe().ranks().size());
        assertEquals(50256, EN.bpe().ranks().size());
        for (int bad : new int[] {0, 51000, 51765, 51867, 60000}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> WhisperTokenizer.forVocabSize(bad));
            assertTrue(e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
    }

    @Test
    void languageTable() {
        assertEquals(100, WhisperLanguages.codes().size());
        assertEquals("en", WhisperLanguages.codes().get(0));
        assertEquals("yue", WhisperLanguages.codes().get(99));
        assertEquals("haitian creole", WhisperLanguages.name("ht"));
        assertEquals("zh", WhisperLanguages.toCode("Mandarin"));
        assertEquals("de", WhisperLanguages.toCode("GERMAN"));
        assertEquals("my", WhisperLanguages.toCode("burmese"));
        assertThrows(IllegalArgumentException.class, () -> WhisperLanguages.toCode("klingon"));
        assertThrows(IllegalArgumentException.class, () -> WhisperLanguages.name("xx"));
        assertEquals(99, V2.languageCodes().size());
        assertEquals(100, V3.languageCodes().size());
    }

    @Test
    void languageTokens() {
        assertEquals(50261, V2.languageToken("de"));
        assertEquals(50261, V2.languageToken("german"));
        assertEquals(50358, V3.languageToken("yue"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> V2.languageToken("yue"));
        assertTrue(e.getMessage().contains("yue"), e.getMessage());
        assertEquals("ja", V2.languageCode(50266));
        assertThrows(IllegalArgumentException.class, () -> V2.languageCode(V2.translate()));
        int[] all = V3.allLanguageTokens();
        assertEquals(100, all.length);
        for (int i = 0; i < all.length; i++) {
            assertEquals("<|" + WhisperLanguages.codes().get(i) + "|>", V3.decodeWithTimestamps(new int[] {all[i]}));
            assertTrue(V3.isLanguageToken(all[i]));
        }
        assertFalse(V3.isLanguageToken(V3.sot()));
        assertFalse(V3.isLanguageToken(V3.translate()));
    }

    @Test
    void sotSequences() {
        assertArrayEquals(new int[] {50258, 50266, 50358}, V2.sotSequence("ja", Task.TRANSLATE));
        assertArrayEquals(new int[] {50258, 50266, 50359}, V3.sotSequence("ja", Task.TRANSLATE));
        assertArrayEquals(new int[] {50258, 50259}, V2.sotSequence("en", null));
        assertArrayEquals(new int[] {50257}, EN.sotSequence(null, null));
        assertArrayEquals(new int[] {50258, 50259, 50359, 50363},
                V2.sotSequenceIncludingNoTimestamps("English", Task.TRANSCRIBE));
    }

    @Test
    void timestamps() {
        assertEquals(1.08, V2.timestampSeconds(50364 + 54));
        assertEquals(30.0, V3.timestampSeconds(51865));
        assertTrue(V2.isTimestamp(51864));
        assertFalse(V2.isTimestamp(50363));
        assertThrows(IllegalArgumentException.class, () -> V2.timestampSeconds(50363));
        int hi = V2.encode(" Hi")[0];
        assertEquals("<|0.00|> Hi<|29.98|>", V2.decodeWithTimestamps(new int[] {50364, hi, 51863}));
        assertEquals(" Hi", V2.decode(new int[] {50364, hi, 51863}));
        // Like whisper's decode, ids past the vocabulary are dropped with the timestamps; negative ids are errors.
        assertEquals(" Hi", V2.decode(new int[] {hi, 99999}));
        assertThrows(IllegalArgumentException.class, () -> V2.decodeWithTimestamps(new int[] {99999}));
        assertThrows(IllegalArgumentException.class, () -> V2.decode(new int[] {-5}));
    }

    @Test
    void nonSpeechTokensMatchThePublishedSuppressLists() {
        // Expected: the suppress_tokens of the published Hugging Face generation configs of openai/whisper-tiny
        // (multilingual) and openai/whisper-tiny.en, which were generated from whisper's non_speech_tokens, minus
        // the special ids (>= eot) that whisper's _get_suppress_tokens adds on top.
        int[] multilingual = {1, 2, 7, 8, 9, 10, 14, 25, 26, 27, 28, 29, 31, 58, 59, 60, 61, 62, 63, 90, 91, 92, 93,
            359, 503, 522, 542, 873, 893, 902, 918, 922, 931, 1350, 1853, 1982, 2460, 2627, 3246, 3253, 3268, 3536,
            3846, 3961, 4183, 4667, 6585, 6647, 7273, 9061, 9383, 10428, 10929, 11938, 12033, 12331, 12562, 13793,
            14157, 14635, 15265, 15618, 16553, 16604, 18362, 18956, 20075, 21675, 22520, 26130, 26161, 26435, 28279,
            29464, 31650, 32302, 32470, 36865, 42863, 47425, 49870, 50254};
        int[] english = {1, 2, 7, 8, 9, 10, 14, 25, 26, 27, 28, 29, 31, 58, 59, 60, 61, 62, 63, 90, 91, 92, 93, 357,
            366, 438, 532, 685, 705, 796, 930, 1058, 1220, 1267, 1279, 1303, 1343, 1377, 1391, 1635, 1782, 1875,
            2162, 2361, 2488, 3467, 4008, 4211, 4600, 4808, 5299, 5855, 6329, 7203, 9609, 9959, 10563, 10786, 11420,
            11709, 11907, 13163, 13697, 13700, 14808, 15306, 16410, 16791, 17992, 19203, 19510, 20724, 22305, 22935,
            27007, 30109, 30420, 33409, 34949, 40283, 40493, 40549, 47282, 49146};
        assertArrayEquals(multilingual, V2.nonSpeechTokens());
        assertArrayEquals(multilingual, V3.nonSpeechTokens());
        assertArrayEquals(english, EN.nonSpeechTokens());
    }

    @Test
    void wordsSplitOnSpacesAndPunctuation() {
        int[] ids = {400, 370, 452, 7177, 6280, 11};   // " And so my fellow Americans,"
        assertEquals(List.of(w(" And", 400), w(" so", 370), w(" my", 452), w(" fellow", 7177), w(" Americans", 6280),
                w(",", 11)), V2.splitToWordTokens(ids, "en"));
        // Special tokens and timestamps are words of their own.
        assertEquals(List.of(w("<|0.00|>", 50364), w(" And", 400), w("<|1.08|>", 50418)),
                V2.splitToWordTokens(new int[] {50364, 400, 50418}, "en"));
        // A word made of many tokens stays one word; null language (English-only models) splits on spaces too.
        String longWord = "pneumonoultramicroscopicsilicovolcanoconiosis";
        int[] longIds = V2.encode(longWord);
        assertTrue(longIds.length > 10);
        assertEquals(List.of(new WordTokens(longWord, longIds)), V2.splitToWordTokens(longIds, null));
    }

    @Test
    void wordSplittingUsesPythonStringSemantics() {
        // "\n" strips to "" and `"" in string.punctuation` is True in Python, so "\n" starts a new word and
        // "world" (no space, not punctuation) joins it.
        int[] ids = V2.encode("Hello\nworld");
        assertEquals(List.of("Hello", "\nworld"), words(V2.splitToWordTokens(ids, "en")));
        // Python's str.strip() removes NBSP (Java's String.strip() would not): same effect.
        int[] nbsp = V2.encode("a\u00a0b");
        assertEquals(List.of("a", "\u00a0b"), words(V2.splitToWordTokens(nbsp, "de")));
        // A genuinely invalid byte (token 246 is a lone continuation byte) closes a word on its own.
        assertEquals(List.of(w("\uFFFD", 246), w(",", 11)), V2.splitToWordTokens(new int[] {246, 11}, "en"));
    }

    @Test
    void wordsSplitOnCharacterBoundariesForLanguagesWithoutSpaces() {
        // Expected groups derived independently from the fixture token bytes: a word ends where the bytes so far
        // form complete UTF-8 (checked with the JDK's strict decoder).
        JsonObject vectors = TokenizerVectors.read("encode_vectors.json");
        int checked = 0;
        for (JsonElement e : vectors.getAsJsonArray("multilingual")) {
            JsonObject v = e.getAsJsonObject();
            String text = v.get("text").getAsString();
            if (!v.has("ids") || text.chars().allMatch(c -> c < 0x80)) {
                continue;
            }
            int[] ids = TokenizerVectors.ints(v.get("ids"));
            List<WordTokens> expected = new ArrayList<>();
            List<Integer> current = new ArrayList<>();
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < ids.length; i++) {
                current.add(ids[i]);
                hex.append(v.getAsJsonArray("pieces_utf8_hex").get(i).getAsString());
                String word = strictUtf8(TokenizerVectors.unhex(hex.toString()));
                if (word != null) {
                    expected.add(new WordTokens(word, current.stream().mapToInt(Integer::intValue).toArray()));
                    current.clear();
                    hex.setLength(0);
                }
            }
            for (String language : new String[] {"zh", "ja", "th", "lo", "my", "yue"}) {
                List<WordTokens> actual = (language.equals("yue") ? V3 : V2).splitToWordTokens(ids, language);
                assertEquals(expected, actual, text);
            }
            assertEquals(text, String.join("", words(expected)));
            checked++;
        }
        assertEquals(16, checked);  // the 16 non-ASCII plain vectors
    }

    @Test
    void tokensThatNeverCompleteAWordAreDroppedAtTheEnd() {
        // " And" + lone bytes E6 97 (the start of "日") + ",". The whole decodes to " And\uFFFD," (E6 97 is one
        // maximal subpart). Python's loop: [400] -> " And" (word); [E6] -> "\uFFFD", and the whole also has
        // U+FFFD at that offset (4) -> word; [97] -> "\uFFFD" but the whole has "," at offset 5 -> keep going;
        // [97, 11] -> "\uFFFD," still not matching -> the loop ends and these two tokens are dropped.
        TiktokenBpe bpe = V2.bpe();
        int e6 = bpe.ranks().rank(new byte[] {(byte) 0xE6}, 0, 1);
        int x97 = bpe.ranks().rank(new byte[] {(byte) 0x97}, 0, 1);
        int[] ids = {400, e6, x97, 11};
        assertEquals(" And\uFFFD,", V2.decode(ids));
        assertEquals(List.of(w(" And", 400), w("\uFFFD", e6)), V2.splitTokensOnUnicode(ids));
    }

    private static WordTokens w(String word, int... tokens) {
        return new WordTokens(word, tokens);
    }

    private static List<String> words(List<WordTokens> list) {
        return list.stream().map(WordTokens::word).toList();
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
