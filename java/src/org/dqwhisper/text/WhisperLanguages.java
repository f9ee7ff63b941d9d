package org.dqwhisper.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whisper's language table: 100 language codes in the order of their {@code <|xx|>} tokens (v1/v2 models use the
 * first 99, large-v3 and turbo all 100, ending with {@code yue}), their English names, and the name aliases that
 * whisper accepts on the command line.
 */
public final class WhisperLanguages {
    /** Code and English name, in token order. */
    private static final String[][] TABLE = {
        {"en", "english"}, {"zh", "chinese"}, {"de", "german"}, {"es", "spanish"}, {"ru", "russian"},
        {"ko", "korean"}, {"fr", "french"}, {"ja", "japanese"}, {"pt", "portuguese"}, {"tr", "turkish"},
        {"pl", "polish"}, {"ca", "catalan"}, {"nl", "dutch"}, {"ar", "arabic"}, {"sv", "swedish"},
        {"it", "italian"}, {"id", "indonesian"}, {"hi", "hindi"}, {"fi", "finnish"}, {"vi", "vietnamese"},
        {"he", "hebrew"}, {"uk", "ukrainian"}, {"el", "greek"}, {"ms", "malay"}, {"cs", "czech"},
        {"ro", "romanian"}, {"da", "danish"}, {"hu", "hungarian"}, {"ta", "tamil"}, {"no", "norwegian"},
        {"th", "thai"}, {"ur", "urdu"}, {"hr", "croatian"}, {"bg", "bulgarian"}, {"lt", "lithuanian"},
        {"la", "latin"}, {"mi", "maori"}, {"ml", "malayalam"}, {"cy", "welsh"}, {"sk", "slovak"},
        {"te", "telugu"}, {"fa", "persian"}, {"lv", "latvian"}, {"bn", "bengali"}, {"sr", "serbian"},
        {"az", "azerbaijani"}, {"sl", "slovenian"}, {"kn", "kannada"}, {"et", "estonian"}, {"mk", "macedonian"},
        {"br", "breton"}, {"eu", "basque"}, {"is", "icelandic"}, {"hy", "armenian"}, {"ne", "nepali"},
        {"mn", "mongolian"}, {"bs", "bosnian"}, {"kk", "kazakh"}, {"sq", "albanian"}, {"sw", "swahili"},
        {"gl", "galician"}, {"mr", "marathi"}, {"pa", "punjabi"}, {"si", "sinhala"}, {"km", "khmer"},
        {"sn", "shona"}, {"yo", "yoruba"}, {"so", "somali"}, {"af", "afrikaans"}, {"oc", "occitan"},
        {"ka", "georgian"}, {"be", "belarusian"}, {"tg", "tajik"}, {"sd", "sindhi"}, {"gu", "gujarati"},
        {"am", "amharic"}, {"yi", "yiddish"}, {"lo", "lao"}, {"uz", "uzbek"}, {"fo", "faroese"},
        {"ht", "haitian creole"}, {"ps", "pashto"}, {"tk", "turkmen"}, {"nn", "nynorsk"}, {"mt", "maltese"},
        {"sa", "sanskrit"}, {"lb", "luxembourgish"}, {"my", "myanmar"}, {"bo", "tibetan"}, {"tl", "tagalog"},
        {"mg", "malagasy"}, {"as", "assamese"}, {"tt", "tatar"}, {"haw", "hawaiian"}, {"ln", "lingala"},
        {"ha", "hausa"}, {"ba", "bashkir"}, {"jw", "javanese"}, {"su", "sundanese"}, {"yue", "cantonese"},
    };

    /** Extra names accepted for a language, besides the names in the table. */
    private static final String[][] ALIASES = {
        {"burmese", "my"}, {"valencian", "ca"}, {"flemish", "nl"}, {"haitian", "ht"}, {"letzeburgesch", "lb"},
        {"pushto", "ps"}, {"panjabi", "pa"}, {"moldavian", "ro"}, {"moldovan", "ro"}, {"sinhalese", "si"},
        {"castilian", "es"}, {"mandarin", "zh"},
    };

    /** Number of languages whisper knows (the 51866-token vocabulary has them all). */
    public static final int COUNT = TABLE.length;

    private static final List<String> CODES;
    private static final Map<String, Integer> INDEX_BY_CODE = new HashMap<>();
    private static final Map<String, String> CODE_BY_NAME = new HashMap<>();

    static {
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < TABLE.length; i++) {
            codes.add(TABLE[i][0]);
            INDEX_BY_CODE.put(TABLE[i][0], i);
            CODE_BY_NAME.put(TABLE[i][1], TABLE[i][0]);
        }
        for (String[] alias : ALIASES) {
            CODE_BY_NAME.put(alias[0], alias[1]);
        }
        CODES = Collections.unmodifiableList(codes);
    }

    private WhisperLanguages() {
    }

    /** All 100 codes in token order. */
    public static List<String> codes() {
        return CODES;
    }

    /** Position of {@code code} in token order (0 = en), or -1 when it is not a whisper language code. */
    public static int indexOf(String code) {
        Integer index = INDEX_BY_CODE.get(code);
        return index == null ? -1 : index;
    }

    /** English name of a language code, e.g. "haitian creole" for "ht". */
    public static String name(String code) {
        int index = indexOf(code);
        if (index < 0) {
            throw new IllegalArgumentException("unknown whisper language code '" + code + "'");
        }
        return TABLE[index][1];
    }

    /**
     * The code for a code or an English name (case-insensitive, aliases such as "mandarin" included), like
     * whisper's {@code get_tokenizer}.
     *
     * @throws IllegalArgumentException for an unsupported language
     */
    public static String toCode(String codeOrName) {
        String key = codeOrName.toLowerCase(Locale.ROOT);
        if (INDEX_BY_CODE.containsKey(key)) {
            return key;
        }
        String code = CODE_BY_NAME.get(key);
        if (code == null) {
            throw new IllegalArgumentException("Unsupported language: " + codeOrName);
        }
        return code;
    }
}
