package org.dqwhisper.text;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** decode_vectors.json, special_tokens_*.json and tokenizer_summary.json, all entries. */
class DecodeVectorsTest {
    @Test
    void everyDecodeVector() {
        JsonObject vectors = TokenizerVectors.read("decode_vectors.json");
        int checked = 0;
        for (String size : new String[] {"51865", "51866"}) {
            WhisperTokenizer tokenizer = WhisperTokenizer.forVocabSize(Integer.parseInt(size));
            for (JsonElement e : vectors.getAsJsonArray(size)) {
                JsonObject v = e.getAsJsonObject();
                String name = size + " " + v.get("name").getAsString();
                int[] ids = TokenizerVectors.ints(v.get("ids"));
                assertEquals(v.get("decode_with_timestamps").getAsString(), tokenizer.decodeWithTimestamps(ids), name);
                assertEquals(v.get("decode").getAsString(), tokenizer.decode(ids), name);
                assertEquals(v.get("bytes_hex").getAsString(), TokenizerVectors.hex(tokenizer.decodeBytes(ids)), name);
                checked++;
            }
        }
        assertEquals(18, checked);
    }

    @Test
    void specialTokenTables() {
        for (int size : new int[] {51864, 51865, 51866}) {
            JsonObject table = TokenizerVectors.read("special_tokens_" + size + ".json");
            WhisperTokenizer tokenizer = WhisperTokenizer.forVocabSize(size);
            assertEquals(size, table.get("n_vocab").getAsInt());
            assertEquals(size, tokenizer.vocabularySize());
            assertEquals(table.get("num_languages").getAsInt(), tokenizer.numLanguages());
            assertEquals(table.get("encoding").getAsString().equals("multilingual.tiktoken"), tokenizer.isMultilingual());
            JsonObject expected = table.getAsJsonObject("special_tokens");
            Map<String, Integer> actual = tokenizer.specialTokens();
            // Same names, same ids, same (id) order.
            assertEquals(expected.keySet().stream().toList(), actual.keySet().stream().toList(), "names, size " + size);
            for (Map.Entry<String, JsonElement> e : expected.entrySet()) {
                assertEquals(e.getValue().getAsInt(), actual.get(e.getKey()), e.getKey() + " in " + size);
                int id = e.getValue().getAsInt();
                assertEquals(e.getKey(), tokenizer.decodeWithTimestamps(new int[] {id}));
                assertArrayEquals(new int[] {id}, tokenizer.encodeWithSpecialTokens(e.getKey()));
            }
            assertEquals(size - 1, actual.get("<|30.00|>"));
        }
    }

    @Test
    void summaryIds() {
        JsonObject summary = TokenizerVectors.read("tokenizer_summary.json");
        assertEquals(3, summary.size());
        for (String size : summary.keySet()) {
            JsonObject s = summary.getAsJsonObject(size);
            WhisperTokenizer t = WhisperTokenizer.forVocabSize(Integer.parseInt(size));
            assertEquals(s.get("n_vocab").getAsInt(), t.vocabularySize());
            assertEquals(s.get("num_languages").getAsInt(), t.numLanguages());
            assertEquals(s.get("eot").getAsInt(), t.eot());
            assertEquals(s.get("sot").getAsInt(), t.sot());
            assertEquals(s.get("translate").getAsInt(), t.translate());
            assertEquals(s.get("transcribe").getAsInt(), t.transcribe());
            assertEquals(s.get("sot_lm").getAsInt(), t.sotLm());
            assertEquals(s.get("sot_prev").getAsInt(), t.sotPrev());
            assertEquals(s.get("no_speech").getAsInt(), t.noSpeech());
            assertEquals(s.get("no_timestamps").getAsInt(), t.noTimestamps());
            assertEquals(s.get("timestamp_begin").getAsInt(), t.timestampBegin());
            assertEquals(s.get("en").getAsInt(), t.languageToken("en"));
            String file = s.get("encoding").getAsString();
            assertEquals(t.isMultilingual() ? "multilingual.tiktoken" : "gpt2.tiktoken", file);
            if (t.isMultilingual()) {
                // whisper's get_tokenizer(multilingual=True) defaults to language "en", task "transcribe".
                assertArrayEquals(TokenizerVectors.ints(s.get("sot_sequence_en_transcribe")),
                        t.sotSequence("en", WhisperTokenizer.Task.TRANSCRIBE));
                assertArrayEquals(TokenizerVectors.ints(s.get("sot_sequence_including_notimestamps")),
                        t.sotSequenceIncludingNoTimestamps("en", WhisperTokenizer.Task.TRANSCRIBE));
            } else {
                // English-only: language and task are None, so the sequence is <|startoftranscript|> alone.
                assertTrue(s.get("sot_sequence_en_transcribe").isJsonNull());
                assertArrayEquals(TokenizerVectors.ints(s.get("sot_sequence_including_notimestamps")),
                        t.sotSequenceIncludingNoTimestamps(null, null));
            }
        }
    }
}
