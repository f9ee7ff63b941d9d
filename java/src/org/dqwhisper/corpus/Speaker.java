package org.dqwhisper.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A synthetic speaker: an espeak-ng voice (language or accent) with a voice variant (timbre: formants, pitch range,
 * breathiness), a base speaking rate and a base pitch. Its id is what espeak-ng's {@code -v} takes, e.g.
 * {@code de+m3} or {@code en-gb+f2}.
 *
 * <p>Speakers are split by <em>variant</em>, for all languages at once: a test variant (say {@code m3}) is never
 * heard in training in any language, so test speakers are unseen voices, not merely unseen voice/language pairs.
 * A speaker's rate and pitch come from its id alone (not from the corpus seed): the same speaker sounds the same in
 * every corpus.
 *
 * @param id        {@code voice + "+" + variant}
 * @param baseSpeed words per minute (espeak-ng {@code -s}), 140..175
 * @param basePitch espeak-ng {@code -p}, 35..65
 */
public record Speaker(String id, String voice, String variant, int baseSpeed, int basePitch) {
    /** Voice variants heard in training. */
    public static final List<String> TRAIN_VARIANTS = List.of("m1", "m2", "m4", "m5", "m7", "m8", "f1", "f3", "f4",
        "klatt", "klatt3", "linda", "paul", "steph");
    /** Variants of the dev split (never in training). */
    public static final List<String> DEV_VARIANTS = List.of("m6", "f5");
    /** Variants of the test split (never in training or dev). */
    public static final List<String> TEST_VARIANTS = List.of("m3", "f2", "Mike");

    private static final Map<Split, List<String>> VARIANTS = Map.of(Split.TRAIN, TRAIN_VARIANTS,
        Split.DEV, DEV_VARIANTS, Split.TEST, TEST_VARIANTS);

    /** The variants of {@code split}. */
    public static List<String> variants(Split split) {
        return VARIANTS.get(split);
    }

    /** The speakers of {@code language} in {@code split}: each variant of the split with one of its voices. */
    public static List<Speaker> of(CorpusLanguage language, Split split) {
        List<Speaker> out = new ArrayList<>();
        List<String> variants = variants(split);
        for (int i = 0; i < variants.size(); i++) {
            // alternate accents (en-us, en-gb, ...) over the variants of a split
            String voice = language.voices().get(i % language.voices().size());
            out.add(create(voice, variants.get(i)));
        }
        return out;
    }

    static Speaker create(String voice, String variant) {
        String id = voice + "+" + variant;
        Random rng = new Random(DerivedSeed.of(0, "speaker", id));
        return new Speaker(id, voice, variant, 140 + rng.nextInt(36), 35 + rng.nextInt(31));
    }
}
