package org.dqwhisper.text;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whisper's tokenizer ({@code whisper/tokenizer.py}): a {@link TiktokenBpe} over the multilingual or GPT-2
 * vocabulary plus whisper's special tokens, numbered right after the BPE ranks in this order:
 * {@code <|endoftext|>}, {@code <|startoftranscript|>}, one {@code <|xx|>} per language (the first
 * {@link #numLanguages()} of {@link WhisperLanguages}), {@code <|translate|>}, {@code <|transcribe|>},
 * {@code <|startoflm|>}, {@code <|startofprev|>}, {@code <|nospeech|>}, {@code <|notimestamps|>}, and the 1501
 * timestamps {@code <|0.00|>} … {@code <|30.00|>}. The language count follows from the model's {@code n_vocab}.
 *
 * <p>Immutable and thread-safe. {@link #forVocabSize(int)} caches one instance per vocabulary size.
 */
public final class WhisperTokenizer {
    private static final Logger LOG = LoggerFactory.getLogger(WhisperTokenizer.class);
    /** Number of timestamp tokens: 0.00 s to 30.00 s in steps of 0.02 s. */
    public static final int TIMESTAMP_COUNT = 1501;
    /** Seconds per timestamp step. */
    public static final double SECONDS_PER_TIMESTAMP = 0.02;
    /** Special tokens other than languages and timestamps. */
    private static final int FIXED_SPECIALS = 8;
    /** Smallest n_vocab of a multilingual model (whisper's {@code is_multilingual = n_vocab >= 51865}). */
    public static final int FIRST_MULTILINGUAL_VOCAB_SIZE = 51865;

    static final String MULTILINGUAL_RESOURCE = "/org/dqwhisper/assets/multilingual.tiktoken";
    static final String GPT2_RESOURCE = "/org/dqwhisper/assets/gpt2.tiktoken";

    /** What the decoder is asked to do after the language token. */
    public enum Task { TRANSCRIBE, TRANSLATE }

    private static final ConcurrentHashMap<String, TiktokenVocabulary> VOCABULARIES = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Integer, WhisperTokenizer> BY_VOCAB_SIZE = new ConcurrentHashMap<>();

    private final TiktokenBpe bpe;
    private final boolean multilingual;
    private final int numLanguages;
    private final int eot;
    private final int sot;
    private final int translate;
    private final int transcribe;
    private final int sotLm;
    private final int sotPrev;
    private final int noSpeech;
    private final int noTimestamps;
    private final int timestampBegin;
    private volatile int[] nonSpeechTokens;

    private WhisperTokenizer(TiktokenVocabulary ranks, int nVocab, boolean multilingual) {
        int numLanguages = nVocab - ranks.size() - FIXED_SPECIALS - TIMESTAMP_COUNT;
        if (numLanguages < 1 || numLanguages > WhisperLanguages.COUNT) {
            throw new IllegalArgumentException("n_vocab " + nVocab + " does not fit " + ranks + ": it leaves "
                    + numLanguages + " language tokens, expected 1.." + WhisperLanguages.COUNT);
        }
        this.multilingual = multilingual;
        this.numLanguages = numLanguages;
        Map<String, Integer> specials = new LinkedHashMap<>();
        int id = ranks.size();
        eot = id;
        specials.put("<|endoftext|>", id++);
        sot = id;
        specials.put("<|startoftranscript|>", id++);
        for (String code : WhisperLanguages.codes().subList(0, numLanguages)) {
            specials.put("<|" + code + "|>", id++);
        }
        translate = id;
        specials.put("<|translate|>", id++);
        transcribe = id;
        specials.put("<|transcribe|>", id++);
        sotLm = id;
        specials.put("<|startoflm|>", id++);
        sotPrev = id;
        specials.put("<|startofprev|>", id++);
        noSpeech = id;
        specials.put("<|nospeech|>", id++);
        noTimestamps = id;
        specials.put("<|notimestamps|>", id++);
        timestampBegin = id;
        for (int i = 0; i < TIMESTAMP_COUNT; i++) {
            specials.put(timestampText(i), id++);
        }
        this.bpe = new TiktokenBpe(ranks, specials);
    }

    /**
     * The tokenizer of a model with {@code nVocab} output tokens, built on the bundled vocabularies: GPT-2 for
     * English-only models ({@code nVocab < 51865}, in practice 51864), multilingual otherwise (51865: 99
     * languages, 51866: 100). Cached.
     *
     * @throws IllegalArgumentException when {@code nVocab} leaves no room for 1..100 language tokens
     */
    public static WhisperTokenizer forVocabSize(int nVocab) {
        WhisperTokenizer cached = BY_VOCAB_SIZE.get(nVocab);
        if (cached != null) {
            return cached;
        }
        boolean multilingual = nVocab >= FIRST_MULTILINGUAL_VOCAB_SIZE;
        WhisperTokenizer created = new WhisperTokenizer(
                bundledVocabulary(multilingual ? MULTILINGUAL_RESOURCE : GPT2_RESOURCE), nVocab, multilingual);
        WhisperTokenizer raced = BY_VOCAB_SIZE.putIfAbsent(nVocab, created);
        return raced != null ? raced : created;
    }

    /** A tokenizer over any vocabulary; {@code multilingual} only decides the word-splitting defaults. */
    public static WhisperTokenizer create(TiktokenVocabulary ranks, int nVocab, boolean multilingual) {
        return new WhisperTokenizer(ranks, nVocab, multilingual);
    }

    /** One of the vocabularies bundled in the jar, loaded once. */
    static TiktokenVocabulary bundledVocabulary(String resource) {
        return VOCABULARIES.computeIfAbsent(resource, r -> {
            try {
                long start = System.nanoTime();
                TiktokenVocabulary vocabulary = TiktokenVocabulary.fromResource(r);
                LOG.debug("loaded {} in {} ms", vocabulary, (System.nanoTime() - start) / 1_000_000);
                return vocabulary;
            } catch (IOException e) {
                throw new IllegalStateException("bundled whisper vocabulary unreadable: " + e.getMessage(), e);
            }
        });
    }

    private static String timestampText(int index) {
        int centis = index * 2;
        int fraction = centis % 100;
        return "<|" + (centis / 100) + "." + (fraction < 10 ? "0" : "") + fraction + "|>";
    }

    /** The underlying tiktoken encoding. */
    public TiktokenBpe bpe() {
        return bpe;
    }

    /** n_vocab: BPE ranks + special tokens. */
    public int vocabularySize() {
        return bpe.vocabularySize();
    }

    /** Whether this is a multilingual vocabulary (n_vocab ≥ 51865 for the bundled ones). */
    public boolean isMultilingual() {
        return multilingual;
    }

    /** Number of {@code <|xx|>} language tokens. */
    public int numLanguages() {
        return numLanguages;
    }

    /** Special token text → id, in id order. */
    public Map<String, Integer> specialTokens() {
        return bpe.specialTokens();
    }

    public int eot() { return eot; }
    public int sot() { return sot; }
    public int translate() { return translate; }
    public int transcribe() { return transcribe; }
    public int sotLm() { return sotLm; }
    public int sotPrev() { return sotPrev; }
    public int noSpeech() { return noSpeech; }
    public int noTimestamps() { return noTimestamps; }
    /** Id of {@code <|0.00|>}; every id from here on is a timestamp. */
    public int timestampBegin() { return timestampBegin; }

    /** Whether {@code id} is a timestamp token. */
    public boolean isTimestamp(int id) {
        return id >= timestampBegin && id < timestampBegin + TIMESTAMP_COUNT;
    }

    /** The time of a timestamp token in seconds. */
    public double timestampSeconds(int id) {
        if (!isTimestamp(id)) {
            throw new IllegalArgumentException("token " + id + " is not a timestamp (timestamps are "
                    + timestampBegin + ".." + (timestampBegin + TIMESTAMP_COUNT - 1) + ")");
        }
        return (id - timestampBegin) * 2 / 100.0;
    }

    /** The language codes of this vocabulary, in token order. */
    public List<String> languageCodes() {
        return WhisperLanguages.codes().subList(0, numLanguages);
    }

    /** Ids of all language tokens, in order. */
    public int[] allLanguageTokens() {
        int[] ids = new int[numLanguages];
        for (int i = 0; i < numLanguages; i++) {
            ids[i] = sot + 1 + i;
        }
        return ids;
    }

    /**
     * The {@code <|xx|>} token of a language, given as a code or an English name ("en", "English", "mandarin").
     *
     * @throws IllegalArgumentException for an unknown language or one this vocabulary lacks (e.g. yue in a
     *                                  99-language vocabulary)
     */
    public int languageToken(String language) {
        String code = WhisperLanguages.toCode(language);
        int index = WhisperLanguages.indexOf(code);
        if (index >= numLanguages) {
            throw new IllegalArgumentException("Language " + code + " not found in tokenizer (its vocabulary has "
                    + numLanguages + " languages)");
        }
        return sot + 1 + index;
    }

    /** Whether {@code id} is a language token. */
    public boolean isLanguageToken(int id) {
        return id > sot && id <= sot + numLanguages;
    }

    /** The code of a language token, e.g. "de" for {@code <|de|>}. */
    public String languageCode(int id) {
        if (!isLanguageToken(id)) {
            throw new IllegalArgumentException("token " + id + " is not a language token");
        }
        return WhisperLanguages.codes().get(id - sot - 1);
    }

    /**
     * whisper's {@code sot_sequence}: {@code <|startoftranscript|>}, then the language token if {@code language}
     * is not null, then the task token if {@code task} is not null. English-only models use (null, null).
     */
    public int[] sotSequence(String language, Task task) {
        int[] sequence = new int[1 + (language != null ? 1 : 0) + (task != null ? 1 : 0)];
        int n = 0;
        sequence[n++] = sot;
        if (language != null) {
            sequence[n++] = languageToken(language);
        }
        if (task != null) {
            sequence[n++] = task == Task.TRANSCRIBE ? transcribe : translate;
        }
        return sequence;
    }

    /** {@link #sotSequence} followed by {@code <|notimestamps|>}. */
    public int[] sotSequenceIncludingNoTimestamps(String language, Task task) {
        int[] sot = sotSequence(language, task);
        int[] sequence = Arrays.copyOf(sot, sot.length + 1);
        sequence[sot.length] = noTimestamps;
        return sequence;
    }

    /**
     * whisper's {@code encode(text)}: plain BPE ids.
     *
     * @throws IllegalArgumentException if the text spells a special token such as {@code <|endoftext|>}
     */
    public int[] encode(String text) {
        return bpe.encode(text);
    }

    /** Encodes with special-token text turned into special ids ({@code allowed_special="all"}). */
    public int[] encodeWithSpecialTokens(String text) {
        return bpe.encodeWithSpecialTokens(text);
    }

    /** Encodes special-token text as plain text ({@code encode_ordinary}). */
    public int[] encodeOrdinary(String text) {
        return bpe.encodeOrdinary(text);
    }

    /**
     * whisper's {@code Tokenizer.decode}: drops every id ≥ {@link #timestampBegin()} (timestamps, and like
     * whisper also anything beyond the vocabulary), then decodes with U+FFFD for invalid UTF-8.
     */
    public String decode(int[] ids) {
        int kept = 0;
        for (int id : ids) {
            if (id < timestampBegin) {
                kept++;
            }
        }
        int[] text = new int[kept];
        int n = 0;
        for (int id : ids) {
            if (id < timestampBegin) {
                text[n++] = id;
            }
        }
        return bpe.decode(text);
    }

    /** whisper's {@code decode_with_timestamps}: timestamps appear as {@code <|1.08|>}. */
    public String decodeWithTimestamps(int[] ids) {
        return bpe.decode(ids);
    }

    /** The concatenated bytes of the tokens, special tokens and timestamps as their text. */
    public byte[] decodeBytes(int[] ids) {
        return bpe.decodeBytes(ids);
    }

    /**
     * whisper's {@code non_speech_tokens} (suppressed by {@code suppress_tokens=-1}): tokens of symbols that mark
     * speaker tags and annotations rather than speech, sorted ascending. Basic punctuation stays allowed, and so do
     * "-" and "'" inside words (only their space-prefixed forms " -" and " '" are suppressed).
     */
    public int[] nonSpeechTokens() {
        int[] tokens = nonSpeechTokens;
        if (tokens == null) {
            tokens = computeNonSpeechTokens();
            nonSpeechTokens = tokens;
        }
        return tokens.clone();
    }

    private int[] computeNonSpeechTokens() {
        // Symbols whose own token (bare or after a space) is suppressed when the symbol is a single token.
        String singleChars = "\"#()*+/:;<=>@[\\]^_`{|}~「」『』";
        String sequences = "<< >> <<< >>> -- --- -( -[ (' (\" (( )) ((( ))) [[ ]] {{ }} ♪♪ ♪♪♪";
        // Musical symbols (U+2640..U+267F block): their first token is suppressed even when they take several,
        // which is safe because these 3-byte characters share their first two bytes.
        String musical = "♩♪♫♬♭♮♯";
        Set<Integer> result = new TreeSet<>();
        result.add(bpe.encode(" -")[0]);
        result.add(bpe.encode(" '")[0]);
        java.util.List<String> symbols = new java.util.ArrayList<>();
        singleChars.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
        symbols.addAll(Arrays.asList(sequences.split(" ")));
        int musicalStart = symbols.size();
        musical.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
        for (int i = 0; i < symbols.size(); i++) {
            boolean isMusical = i >= musicalStart;
            for (String variant : new String[] {symbols.get(i), " " + symbols.get(i)}) {
                int[] ids = bpe.encode(variant);
                if (ids.length == 1 || isMusical) {
                    result.add(ids[0]);
                }
            }
        }
        return result.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * whisper's {@code split_to_word_tokens}: for zh, ja, th, lo, my and yue (no spaces between words) a word ends
     * wherever the tokens so far decode to complete characters; otherwise words start at a leading space, a
     * special token or punctuation (see {@link WhisperWordSplitter}).
     *
     * @param language the language code of the transcript, or null (English-only models)
     */
    public List<WordTokens> splitToWordTokens(int[] tokens, String language) {
        return WhisperWordSplitter.splitToWordTokens(this, tokens, language);
    }

    /** whisper's {@code split_tokens_on_unicode}. */
    public List<WordTokens> splitTokensOnUnicode(int[] tokens) {
        return WhisperWordSplitter.splitOnUnicode(this, tokens);
    }

    /** whisper's {@code split_tokens_on_spaces}. */
    public List<WordTokens> splitTokensOnSpaces(int[] tokens) {
        return WhisperWordSplitter.splitOnSpaces(this, tokens);
    }

    @Override
    public String toString() {
        return "WhisperTokenizer[n_vocab " + vocabularySize() + ", " + numLanguages + " languages, "
                + bpe.ranks().source() + "]";
    }
}
