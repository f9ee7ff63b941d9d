package org.dqwhisper.text;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every vector of encode_vectors.json, for both vocabularies: ids and token bytes byte-exact, decode(ids) == text,
 * and for the strings with special-token text the default rejection, allowed_special="all" and encode_ordinary.
 */
class EncodeVectorsTest {
    private static final JsonObject VECTORS = TokenizerVectors.read("encode_vectors.json");

    @Test
    void patternIsTheOneImplemented() {
        assertEquals("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                VECTORS.get("pat_str").getAsString());
    }

    @Test
    void multilingualVectors() {
        // The special-token vectors use the 99-language numbering (n_vocab 51865), e.g. <|0.00|> = 50364.
        int[] counts = check("multilingual", WhisperTokenizer.forVocabSize(51865));
        assertArrayEquals(new int[] {34, 3}, counts);
    }

    @Test
    void gpt2Vectors() {
        int[] counts = check("gpt2", WhisperTokenizer.forVocabSize(51864));
        assertArrayEquals(new int[] {34, 3}, counts);
    }

    @Test
    void ordinaryIdsDoNotDependOnTheLanguageCount() {
        WhisperTokenizer v3 = WhisperTokenizer.forVocabSize(51866);
        int checked = 0;
        for (JsonElement e : VECTORS.getAsJsonArray("multilingual")) {
            JsonObject v = e.getAsJsonObject();
            String text = v.get("text").getAsString();
            if (v.has("ids")) {
                assertArrayEquals(TokenizerVectors.ints(v.get("ids")), v3.encode(text), text);
            } else {
                assertArrayEquals(TokenizerVectors.ints(v.get("ids_encode_ordinary")), v3.encodeOrdinary(text), text);
            }
            checked++;
        }
        assertEquals(37, checked);
    }

    /** Returns {plain vectors checked, special-text vectors checked}. */
    private static int[] check(String vocabulary, WhisperTokenizer tokenizer) {
        int plain = 0;
        int special = 0;
        for (JsonElement e : VECTORS.getAsJsonArray(vocabulary)) {
            JsonObject v = e.getAsJsonObject();
            String text = v.get("text").getAsString();
            if (v.has("ids")) {
                int[] expected = TokenizerVectors.ints(v.get("ids"));
                int[] ids = tokenizer.encode(text);
                assertArrayEquals(expected, ids, () -> vocabulary + " " + text + ": " + Arrays.toString(ids));
                var pieces = v.getAsJsonArray("pieces_utf8_hex");
                assertEquals(expected.length, pieces.size());
                for (int i = 0; i < ids.length; i++) {
                    assertEquals(pieces.get(i).getAsString(), TokenizerVectors.hex(tokenizer.bpe().tokenBytes(ids[i])),
                            vocabulary + " " + text + " piece " + i);
                }
                assertEquals(text, tokenizer.decode(ids), vocabulary + " round trip");
                assertArrayEquals(expected, tokenizer.encodeOrdinary(text), "no special text, same as ordinary");
                assertArrayEquals(expected, tokenizer.encodeWithSpecialTokens(text));
                plain++;
            } else {
                assertTrue(v.get("default_encode").getAsString().startsWith("ValueError"));
                IllegalArgumentException error =
                        assertThrows(IllegalArgumentException.class, () -> tokenizer.encode(text), text);
                assertTrue(error.getMessage().contains("disallowed special token"), error.getMessage());
                assertArrayEquals(TokenizerVectors.ints(v.get("ids_allowed_special_all")),
                        tokenizer.encodeWithSpecialTokens(text), vocabulary + " allowed all: " + text);
                assertArrayEquals(TokenizerVectors.ints(v.get("ids_encode_ordinary")),
                        tokenizer.encodeOrdinary(text), vocabulary + " ordinary: " + text);
                assertEquals(text, tokenizer.decode(tokenizer.encodeOrdinary(text)));
                special++;
            }
        }
        return new int[] {plain, special};
    }
}
